import Synchronization
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The executor's run queue: a FIFO of jobs that producers and workers share without a lock on the hot path.
///
/// - **Jobs** go through a lock-free ring (`JobRing`, `ringCapacity` cells): a push is one compare-and-swap on the
///   enqueue counter and a store into the cell, a pop one compare-and-swap on the dequeue counter. When the ring is
///   full, jobs go to an unbounded overflow list behind `lock`; while that list is not empty, new jobs follow them
///   there, and a worker takes from the list only once the ring is empty (no claimed cell left), moving the jobs
///   behind the one it takes into the ring, as many as fit. So jobs are taken
///   in push order, except that two pushes racing for the ring's last cell and the overflow may swap; each
///   producer's jobs are always taken in its push order, and any one worker takes them in that order.
/// - **Idle workers** poll for a moment (`spinRounds` rounds of a relaxed look and a `sched_yield`, at most
///   `pollNanos`) and then sleep on `lock`'s condition. A sleeper first counts itself in `sleepers`, then looks at
///   the queue again, both sequentially consistent; a push first makes its job visible, then reads `sleepers`. One
///   of the two sees the other, so a push never misses a sleeper that missed its job; the push signals under
///   `lock`, which the sleeper holds from its look until it waits, so the signal cannot fall in between. A push
///   signals only while some worker sleeps (and then on every push: a lost condition signal heals at the next one).
/// - **Recording**: a job pushed while recording is `recorded`; a worker that takes it counts it busy first and
///   then reads the recording flag (sequentially consistent, the mirror of `stopRecording`'s store-then-load), so
///   `stopRecording`'s callback runs exactly once, after the last recorded job taken before the stop has finished.
/// - **Lifecycle** (`workerStarted`, `shutdown`, linger, `claimRestart`) is the cold path, behind `lock`.
///
/// Thread-safe. `@unchecked Sendable`: the overflow list, `onQuiet` and `shuttingDown` are behind `lock`; every
/// other mutable state is an atomic or the ring (see `JobRing`). Generic over the job so tests can drive it with
/// plain values (`JobQueueTests`); the executor uses `UnownedJob`.
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

    private let ring: JobRing<Item>
    /// Guards the overflow list, sleeping and waking, the quiet callback and the lifecycle.
    private let lock = ConditionLock()
    /// Jobs that found the ring full, oldest at `overflowHead` (behind `lock`).
    private var overflow: [Item] = []
    private var overflowHead = 0
    /// `overflow.count - overflowHead`, changed under `lock`, read without it: a push goes to the overflow while
    /// it is not empty, so an older job never waits there behind a newer one in the ring.
    private let overflowCount = Atomic<Int>(0)
    /// Workers registered to sleep (from just before their last look at the queue until they wake).
    private let sleepers = Atomic<Int>(0)
    /// Workers alive (counted by `workerStarted`, uncounted by an exit or `workerFailedToStart`); changed under
    /// `lock`, read by `push` without it.
    private let liveWorkers = Atomic<Int>(0)
    private var shuttingDown = false
    /// Rounds a worker polls an empty queue before it sleeps (0: sleep at once).
    let spinRounds: Int
    /// How long an idle worker waits for more work after shutdown before it exits.
    let lingerNanos: UInt64

    /// Whether jobs pushed now are recorded; cleared once by `stopRecording`.
    private let recordingFlag = Atomic<Bool>(true)
    /// Recorded jobs taken and not yet finished (see `pop` and `finished`).
    private let busyRecorded = Atomic<Int>(0)
    private var onQuiet: (@Sendable () -> Void)?

    /// Rounds of polling before a worker sleeps, by default. Each round is one relaxed load and one `sched_yield`
    /// (a few hundred nanoseconds to a microsecond here, longer when another thread takes the core), and polling
    /// also ends after `pollNanos` (50 µs): longer than the gap between the jobs of a busy program, far shorter than
    /// a timer's. Measured choice, see docs/performance.md.
    static var defaultSpinRounds: Int { 64 }

    /// Cells in the lock-free ring by default: 8,192 × 32 bytes. A program that queues more at once (a loop
    /// spawning children faster than the workers run them) spills into the overflow list, which costs a lock per
    /// push and pop until it drains.
    static var defaultRingCapacity: Int { 8192 }

    /// How long an idle worker waits for more work after shutdown before it exits, by default.
    static var lateLingerNanos: UInt64 { 500_000_000 }

    /// The longest a worker polls before it sleeps.
    static var pollNanos: UInt64 { 50_000 }

    init(
        spinRounds: Int = JobQueue.defaultSpinRounds, lingerNanos: UInt64 = JobQueue.lateLingerNanos,
        ringCapacity: Int = JobQueue.defaultRingCapacity
    ) {
        self.spinRounds = max(0, spinRounds)
        self.lingerNanos = lingerNanos
        ring = JobRing(capacity: ringCapacity)
    }

    /// Workers asleep or about to sleep (a relaxed read, for tests that wait until every worker sleeps).
    var sleepingWorkerCount: Int { sleepers.load(ordering: .relaxed) }

    /// Whether jobs enqueued now are recorded (lock-free read).
    var isRecording: Bool { recordingFlag.load(ordering: .relaxed) }

    /// Adds a job; wakes one sleeping worker, if any. Returns false when no worker is alive to run it (after
    /// shutdown): the caller then asks `claimRestart()`.
    func push(_ job: Job, taskID: TraceTaskID, isActorJob: Bool = false, global: Bool = false) -> Bool {
        let item = Item(job: job, taskID: taskID, recorded: isRecording, isActorJob: isActorJob, global: global)
        if overflowCount.load(ordering: .relaxed) != 0 || !ring.tryPush(item) {
            lock.withLock {
                overflow.append(item)
                overflowCount.store(overflow.count - overflowHead, ordering: .sequentiallyConsistent)
            }
        }
        // The job is visible (the ring's claim or the overflow count, both sequentially consistent) before this look.
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            lock.withLock { lock.signal() }
        }
        return liveWorkers.load(ordering: .sequentiallyConsistent) > 0
    }

    /// A worker joins.
    func workerStarted() { lock.withLock { _ = liveWorkers.add(1, ordering: .sequentiallyConsistent) } }

    /// A worker counted by `workerStarted()` could not be started after all.
    func workerFailedToStart() { lock.withLock { _ = liveWorkers.subtract(1, ordering: .sequentiallyConsistent) } }

    /// Takes the next job, polling briefly and then sleeping while the queue is empty. Returns nil when shutting
    /// down and empty (the worker must then exit). A returned item with `recorded` counts as busy until
    /// `finished(_:)`.
    func pop() -> Item? {
        var mayPoll = spinRounds > 0
        var lingered = false
        while true {
            if let item = take() { return admitted(item) }
            if mayPoll {
                // Poll again after every job that showed up (another worker may have taken it first); sleep
                // only after one whole poll found nothing.
                mayPoll = pollWhileEmpty()
                continue
            }
            lock.lock()
            sleepers.add(1, ordering: .sequentiallyConsistent)
            if hasWork {
                // Work arrived, or a producer claimed a cell and has not stored into it yet (preempted): poll,
                // which yields the core, rather than take the lock again at once.
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                lock.unlock()
                if spinRounds > 0 { mayPoll = true } else { sched_yield() }
                continue
            }
            if shuttingDown {
                if !lingered {
                    // After the recording, tasks that outlive it still send jobs: linger a moment for the next
                    // one instead of exiting at once and making every late job start a thread of its own.
                    lingered = true
                    lock.wait(nanoseconds: lingerNanos)
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    lock.unlock()
                    continue
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                // Uncount this worker, then look once more: a push that read the old count saw a live worker
                // and will not restart one, so its job must be visible here (the mirror of `push`'s order).
                liveWorkers.subtract(1, ordering: .sequentiallyConsistent)
                if hasWork {
                    liveWorkers.add(1, ordering: .sequentiallyConsistent)
                    lock.unlock()
                    continue
                }
                lock.unlock()
                return nil
            }
            lock.wait()
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            lock.unlock()
            mayPoll = spinRounds > 0
        }
    }

    /// Jobs claimed in the ring or waiting in the overflow (sequentially consistent: the sleeper's look).
    private var hasWork: Bool {
        ring.hasClaims || overflowCount.load(ordering: .sequentiallyConsistent) > 0
    }

    /// The oldest job: from the ring, or from the overflow once the ring has no claimed cell left. Taking from the
    /// overflow also moves the jobs behind it into the ring, as many as fit, in order: the workers then take them
    /// without the lock, one lock round trip per ring-full instead of one per job.
    private func take() -> Item? {
        if let item = ring.tryPop() { return item }
        guard overflowCount.load(ordering: .relaxed) > 0 else { return nil }
        return lock.withLock {
            guard overflowHead < overflow.count, !ring.hasClaims else { return nil }
            let item = overflow[overflowHead]
            overflowHead += 1
            var moved = false
            while overflowHead < overflow.count, ring.tryPush(overflow[overflowHead]) {
                overflowHead += 1
                moved = true
            }
            if overflowHead == overflow.count {
                overflow.removeAll(keepingCapacity: true)
                overflowHead = 0
            } else if overflowHead >= 1024, overflowHead * 2 >= overflow.count {
                overflow.removeFirst(overflowHead)
                overflowHead = 0
            }
            overflowCount.store(overflow.count - overflowHead, ordering: .sequentiallyConsistent)
            // The moved jobs are new work for sleeping workers, which no push will announce.
            if moved, sleepers.load(ordering: .sequentiallyConsistent) > 0 { lock.signal() }
            return item
        }
    }

    /// Counts a recorded job as busy unless recording has stopped. Busy first, then the flag (both sequentially
    /// consistent, mirroring `stopRecording`'s flag-then-count): if this sees recording on, `stopRecording` sees
    /// the job busy and waits for its `finished`.
    private func admitted(_ item: Item) -> Item {
        guard item.recorded else { return item }
        busyRecorded.add(1, ordering: .sequentiallyConsistent)
        if recordingFlag.load(ordering: .sequentiallyConsistent) { return item }
        var unrecorded = item
        unrecorded.recorded = false
        releaseBusy()
        return unrecorded
    }

    /// Polls the queue for up to `spinRounds` rounds and `pollNanos`; returns true as soon as a job waits, false
    /// when the poll ended with none. The time bound matters on a loaded machine, where one `sched_yield` can hand
    /// the core away for a whole time slice: the worker then sleeps properly instead, and a wake-up brings it back
    /// sooner.
    private func pollWhileEmpty() -> Bool {
        let start = Self.monotonicNanos()
        for _ in 0..<spinRounds {
            if ring.hasStoredHead || overflowCount.load(ordering: .relaxed) > 0 { return true }
            sched_yield()
            if Self.monotonicNanos() &- start > Self.pollNanos { break }
        }
        return ring.hasStoredHead || overflowCount.load(ordering: .relaxed) > 0
    }

    private static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// A worker finished running `item`.
    func finished(_ item: Item) {
        guard item.recorded else { return }
        releaseBusy()
    }

    /// Uncounts one busy job; the last one after `stopRecording` runs the quiet callback. Store-then-load on both
    /// sides, all sequentially consistent: this decrement then a load of the flag here, the flag's store then a
    /// load of the count in `stopRecording`. At least one side sees the other's write, so the last job to finish
    /// after recording stopped always finds the callback, and a job that finished before stop saw zero lets stop
    /// run it. `lock` makes the hand-over of the callback happen once. While recording, no lock is taken.
    private func releaseBusy() {
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
            recordingFlag.store(false, ordering: .sequentiallyConsistent)
            if busyRecorded.load(ordering: .sequentiallyConsistent) == 0 { return true }
            onQuiet = then
            return false
        }
        if runNow { then() }
    }

    /// Asks workers to exit once the queue is empty (after lingering `lingerNanos` for late jobs).
    func shutdown() {
        lock.withLock {
            shuttingDown = true
            lock.broadcast()
        }
    }

    /// Revives the pool after shutdown when a late job arrived: returns true if the caller must start a worker.
    func claimRestart() -> Bool {
        lock.withLock {
            guard liveWorkers.load(ordering: .sequentiallyConsistent) == 0, hasWork else { return false }
            liveWorkers.add(1, ordering: .sequentiallyConsistent)
            return true
        }
    }
}
