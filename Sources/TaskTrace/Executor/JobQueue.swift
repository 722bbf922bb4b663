import Synchronization
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The executor's run queue: FIFO of jobs, guarded by one pthread mutex with a condition for idle workers.
///
/// A worker that finds the queue empty first polls it for a moment outside the lock (`spinRounds` rounds of a
/// lock-free look and a `sched_yield`) before it sleeps on the condition; a push signals only when a worker is
/// asleep (not while it polls). Most jobs of a busy program are then taken without a sleep or a wake-up (each a
/// futex system call and a context switch), see docs/performance.md.
///
/// Why one lock and not a lock-free ring: a bounded ring with per-cell sequence numbers (producers and workers
/// meeting only in the cell they hand over), an overflow list for when it is full and a sleepers count checked
/// against the queue on both sides was built and measured on the executor branch. It removed the futex calls of
/// the hand-over but did not make the spawn-heavy body measurably faster: the queue's own code is under 1 % of that
/// body, whose extra cost over the global executor is mostly malloc heap growth on the worker running the parent
/// ("Executor queue, second pass" in docs/performance.md). Its tests stay in `JobQueueTests`.
///
/// Also tracks whether recording is still on and how many recorded jobs are running, so the runtime can stop
/// recording only after every running job has reported its end. Thread-safe: all state is behind `lock`
/// (that is what `@unchecked Sendable` relies on), except the atomics: `recordingFlag` (mirrors `recording`),
/// `busyRecorded`, which a finishing job decrements without the lock — the lock was otherwise taken a third
/// time per job only for tracing — and `waitingCount`, a hint for spinning workers that mirrors the queue's length.
/// Generic over the job so tests can drive it with plain values (`JobQueueTests`); the executor uses `UnownedJob`.
final class JobQueue<Job>: @unchecked Sendable {
    struct Item {
        var job: Job
        var taskID: TraceTaskID
        var recorded: Bool
        /// A default actor's job: tasks' code runs inside it (see `ThreadContext.inUntrackedJob`).
        var isActorJob = false
        /// Handed over by the global-executor hook (process capture): run on the generic executor, like the
        /// runtime's own global executor would, not as this task executor.
        var global = false
    }

    private let lock = ConditionLock()
    private var items: [Item] = []
    private var head = 0
    /// Workers blocked in `lock.wait` (not those polling). Every push signals while one is. Counting the wake-ups
    /// already sent, to signal only sleepers not yet woken, was tried and dropped: liveness then rests on every
    /// signal reaching a waiter (glibc before 2.41 can lose one, its bug 25847), and one full test run did fail as
    /// a stranded job would make it fail (`EndOfRecordingTests`, not reproduced). Re-signalling costs little.
    private var sleepingWorkers = 0
    /// `items.count - head`, stored under the lock, read without it by spinning workers (a hint only: the worker
    /// takes the lock and looks again).
    private let waitingCount = Atomic<Int>(0)
    /// Rounds a worker polls an empty queue before it sleeps (0: sleep at once).
    let spinRounds: Int
    private var recording = true
    /// Recorded jobs popped and not yet finished. Incremented under `lock` (in `pop`, only while recording);
    /// decremented without it. Sequentially consistent, paired with `recordingFlag` (see `finished`).
    private let busyRecorded = Atomic<Int>(0)
    private var onQuiet: (@Sendable () -> Void)?
    private var shuttingDown = false
    private var liveWorkers = 0

    /// Rounds of polling before a worker sleeps, by default. Each round is one relaxed load and one `sched_yield`
    /// (a few hundred nanoseconds to a microsecond here, longer when another thread takes the core), and polling
    /// also ends after `pollNanos` (50 µs): longer than the gap between the jobs of a busy program, far shorter than
    /// a timer's. Measured choice, see docs/performance.md.
    static var defaultSpinRounds: Int { 64 }

    /// How long an idle worker waits for more work after shutdown before it exits.
    let lingerNanos: UInt64

    init(spinRounds: Int = JobQueue.defaultSpinRounds, lingerNanos: UInt64 = JobQueue.lateLingerNanos) {
        self.spinRounds = max(0, spinRounds)
        self.lingerNanos = lingerNanos
    }

    /// Adds a job; wakes one sleeping worker, if any. Returns false when no worker is alive to run it (after
    /// shutdown).
    func push(_ job: Job, taskID: TraceTaskID, isActorJob: Bool = false, global: Bool = false) -> Bool {
        lock.withLock {
            items.append(Item(job: job, taskID: taskID, recorded: recording, isActorJob: isActorJob, global: global))
            waitingCount.store(items.count - head, ordering: .relaxed)
            if sleepingWorkers > 0 { lock.signal() }
            return liveWorkers > 0
        }
    }

    /// How long an idle worker waits for more work after shutdown before it exits, by default.
    static var lateLingerNanos: UInt64 { 500_000_000 }

    /// Mirrors `recording` for the enqueue hot path, read without taking the lock.
    private let recordingFlag = Atomic<Bool>(true)

    /// Workers asleep on the condition (for tests that wait until every worker sleeps).
    var sleepingWorkerCount: Int { lock.withLock { sleepingWorkers } }

    /// Whether jobs enqueued now are recorded (lock-free read).
    var isRecording: Bool { recordingFlag.load(ordering: .relaxed) }

    /// A worker joins.
    func workerStarted() { lock.withLock { liveWorkers += 1 } }

    /// A worker counted by `workerStarted()` could not be started after all.
    func workerFailedToStart() { lock.withLock { liveWorkers -= 1 } }

    /// Takes the next job, polling briefly and then sleeping while the queue is empty. Returns nil when shutting
    /// down and empty (the worker must then exit). A returned item with `recorded` counts as busy until
    /// `finished(_:)`.
    func pop() -> Item? {
        lock.lock()
        defer { lock.unlock() }
        var lingered = false
        var spun = false
        while head == items.count {
            if shuttingDown {
                // After the recording, tasks that outlive it still send jobs: linger a moment for the next
                // one instead of exiting at once and making every late job start a thread of its own.
                if !lingered {
                    lingered = true
                    sleep(nanoseconds: lingerNanos)
                    continue
                }
                liveWorkers -= 1
                return nil
            }
            if !spun, spinRounds > 0 {
                // Not counted as sleeping, so pushes meanwhile send no signal; the lock is dropped while polling.
                spun = true
                lock.unlock()
                pollWhileEmpty()
                lock.lock()
                continue
            }
            sleep(nanoseconds: nil)
            spun = false
        }
        var item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        waitingCount.store(items.count - head, ordering: .relaxed)
        item.recorded = item.recorded && recording
        if item.recorded { busyRecorded.add(1, ordering: .sequentiallyConsistent) }
        return item
    }

    /// Sleeps on the condition until signalled (or `nanoseconds` pass); call with the lock held.
    private func sleep(nanoseconds: UInt64?) {
        sleepingWorkers += 1
        if let nanoseconds { lock.wait(nanoseconds: nanoseconds) } else { lock.wait() }
        sleepingWorkers -= 1
    }

    /// Polls the queue without the lock for up to `spinRounds` rounds and `pollNanos`; returns as soon as a job
    /// seems to wait. The time bound matters on a loaded machine, where one `sched_yield` can hand the core away
    /// for a whole time slice: the worker then sleeps properly instead, and a wake-up brings it back sooner.
    private func pollWhileEmpty() {
        let start = TraceClock.monotonicNanos()
        for _ in 0..<spinRounds {
            if waitingCount.load(ordering: .relaxed) > 0 { return }
            sched_yield()
            if TraceClock.monotonicNanos() &- start > Self.pollNanos { return }
        }
    }

    /// The longest a worker polls before it sleeps.
    static var pollNanos: UInt64 { 50_000 }

    /// A worker finished running `item`.
    func finished(_ item: Item) {
        guard item.recorded else { return }
        // Store-then-load on both sides, all sequentially consistent: this decrement then a load of the flag here,
        // the flag's store then a load of the count in `stopRecording`. At least one side sees the other's write,
        // so the last job to finish after recording stopped always finds the callback, and a job that finished
        // before stop saw zero lets stop run it. While recording (every job until the end) no lock is taken.
        let remaining = busyRecorded.subtract(1, ordering: .sequentiallyConsistent).newValue
        guard remaining == 0, !recordingFlag.load(ordering: .sequentiallyConsistent) else { return }
        let callback: (@Sendable () -> Void)? = lock.withLock {
            guard busyRecorded.load(ordering: .sequentiallyConsistent) == 0, let quiet = onQuiet else { return nil }
            onQuiet = nil
            return quiet
        }
        callback?()
    }

    /// Stops recording: jobs taken from now on run unrecorded; `then` runs once no recorded job is running.
    func stopRecording(then: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            recording = false
            recordingFlag.store(false, ordering: .sequentiallyConsistent)
            if busyRecorded.load(ordering: .sequentiallyConsistent) == 0 { return true }
            onQuiet = then
            return false
        }
        if runNow { then() }
    }

    /// Asks workers to exit once the queue is empty.
    func shutdown() {
        lock.withLock {
            shuttingDown = true
            lock.broadcast()
        }
    }

    /// Revives the pool after shutdown when a late job arrived: returns true if the caller must start a worker.
    func claimRestart() -> Bool {
        lock.withLock {
            guard liveWorkers == 0, head < items.count else { return false }
            liveWorkers += 1
            return true
        }
    }
}
