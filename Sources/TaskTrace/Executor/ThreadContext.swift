import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread state the hot path reads without locking: which trace thread this is and which task runs on it.
///
/// One context per OS thread, created lazily and freed when the thread exits. Only its own thread reads or
/// writes it: that confinement is what `@unchecked Sendable` relies on.
final class ThreadContext: @unchecked Sendable {
    /// The recorder the thread belongs to (its identity), or 0 for a thread that no recorder owns.
    var owner: UInt64 = 0
    /// The thread's id in its owner's trace, or 0.
    var threadID: TraceThreadID = 0
    /// The task whose job this thread runs right now (0 when none).
    var currentTask: TraceTaskID = 0
    /// Counts the jobs this thread has started: with `threadID`, names the job running now. Tests use it as
    /// ground truth for job boundaries, independent of the recorded events.
    var jobSerial: UInt64 = 0
    /// True while this thread runs a default actor's job (no task id): tasks' code runs inside it.
    var inUntrackedJob = false
    /// Set by the runtime's spawn around `Task.init`: the token that ties the new task to its name and site.
    var pendingSpawnToken: UInt64 = 0
    /// Written by the enqueue that consumed `pendingSpawnToken`: the id of the task just created.
    var spawnedTaskID: TraceTaskID = 0
    /// While this thread is a worker of a `TracingExecutor`: its own run queue, where the jobs it enqueues go.
    var ownJobs: JobQueue<UnownedJob>.Worker?
    /// Process capture: the last task whose `Task.name` this thread tried to read (read once per task and thread).
    var nameCheckedTask: TraceTaskID = 0

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<ThreadContext>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// The calling thread's context, created on first use.
    static var current: ThreadContext {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadContext>.fromOpaque(pointer).takeUnretainedValue()
        }
        let context = ThreadContext()
        pthread_setspecific(key, Unmanaged.passRetained(context).toOpaque())
        return context
    }

    /// Forgets everything a recording left here, before the thread serves another one (`WorkerThreadPool`): a
    /// reused worker must look like a new thread. A stale `nameCheckedTask` made a task that outlived one process
    /// capture lose its name in the next.
    func resetForReuse() {
        owner = 0
        threadID = 0
        currentTask = 0
        jobSerial = 0
        inUntrackedJob = false
        pendingSpawnToken = 0
        spawnedTaskID = 0
        nameCheckedTask = 0
        ownJobs = nil
    }

    /// The task running on this thread if the thread belongs to recorder `owner`, else 0.
    func currentTask(ownedBy owner: UInt64) -> TraceTaskID {
        self.owner == owner ? currentTask : 0
    }
}
