import Synchronization
import TaskTraceModel

/// The executor's run queue: FIFO of jobs, guarded by one pthread mutex with a condition for idle workers.
///
/// Also tracks whether recording is still on and how many recorded jobs are running, so the runtime can stop
/// recording only after every running job has reported its end. Thread-safe: all state is behind `lock`
/// (that is what `@unchecked Sendable` relies on), except the two atomics: `recordingFlag` (mirrors `recording`)
/// and `busyRecorded`, which a finishing job decrements without the lock — the lock was otherwise taken a third
/// time per job only for tracing.
final class JobQueue: @unchecked Sendable {
    struct Item {
        var job: UnownedJob
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
    private var idleWorkers = 0
    private var recording = true
    /// Recorded jobs popped and not yet finished. Incremented under `lock` (in `pop`, only while recording);
    /// decremented without it. Sequentially consistent, paired with `recordingFlag` (see `finished`).
    private let busyRecorded = Atomic<Int>(0)
    private var onQuiet: (@Sendable () -> Void)?
    private var shuttingDown = false
    private var liveWorkers = 0

    /// Adds a job; wakes one idle worker. Returns false when no worker is alive to run it (after shutdown).
    func push(_ job: UnownedJob, taskID: TraceTaskID, isActorJob: Bool = false, global: Bool = false) -> Bool {
        lock.withLock {
            items.append(Item(job: job, taskID: taskID, recorded: recording, isActorJob: isActorJob, global: global))
            if idleWorkers > 0 { lock.signal() }
            return liveWorkers > 0
        }
    }

    /// How long an idle worker waits for more work after shutdown before it exits.
    static let lateLingerNanos: UInt64 = 500_000_000

    /// Mirrors `recording` for the enqueue hot path, read without taking the lock.
    private let recordingFlag = Atomic<Bool>(true)

    /// Whether jobs enqueued now are recorded (lock-free read).
    var isRecording: Bool { recordingFlag.load(ordering: .relaxed) }

    /// A worker joins.
    func workerStarted() { lock.withLock { liveWorkers += 1 } }

    /// A worker counted by `workerStarted()` could not be started after all.
    func workerFailedToStart() { lock.withLock { liveWorkers -= 1 } }

    /// Takes the next job, sleeping while the queue is empty. Returns nil when shutting down and empty
    /// (the worker must then exit). A returned item with `recorded` counts as busy until `finished(_:)`.
    func pop() -> Item? {
        lock.withLock {
            var lingered = false
            while head == items.count {
                if shuttingDown {
                    // After the recording, tasks that outlive it still send jobs: linger a moment for the next
                    // one instead of exiting at once and making every late job start a thread of its own.
                    if !lingered {
                        lingered = true
                        idleWorkers += 1
                        lock.wait(nanoseconds: Self.lateLingerNanos)
                        idleWorkers -= 1
                        continue
                    }
                    liveWorkers -= 1
                    return nil
                }
                idleWorkers += 1
                lock.wait()
                idleWorkers -= 1
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
            item.recorded = item.recorded && recording
            if item.recorded { busyRecorded.add(1, ordering: .sequentiallyConsistent) }
            return item
        }
    }

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
