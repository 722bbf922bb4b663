import CTaskTraceHooks
import TaskTraceModel

/// Reads who a job belongs to. The ONLY place that touches non-public runtime entry points.
///
/// - `swift_task_getJobTaskId` (exported by libswift_Concurrency, the function behind `ExecutorJob.description`)
///   gives the task id of a job, 0 for jobs that are not tasks (default actors' jobs).
/// - `swift_task_getJobFlags` gives a job's flags (the job kind in the low byte, for every job); bit 24 marks a child task, bit 26 a task-group child and
///   bit 28 an `async let` child (checked on Swift 6.3.1 on Linux: a root task reads `0x62…`, a group child
///   `0x27…`/`0x67…`, an async let `0x33…`; a default actor's job `0x…C1`, `Task.yield()`'s continuation `0x…C3`).
///
/// - The current Swift task's id: `withUnsafeCurrentTask` gives the task object, which is itself a job, so
///   `swift_task_getJobTaskId` reads its id. This is how code running on a default actor (inside a job with no
///   task id) is tied to the task it runs for (checked on Swift 6.3.1: an actor method sees its caller's id; at
///   the moment a task hops back from the actor to this executor there is no current task).
///
/// None of this is public API. The lookups are replaceable values so the runtime keeps working (degrades to
/// untracked jobs, unknown callers) if any ever changes; tests replace them to prove that. Thread-safe (immutable).
struct JobIdentity: Sendable {
    /// What the enqueue path learns about one job.
    struct Info: Sendable, Equatable {
        /// The Swift task id, 0 when the job has none (or it could not be read).
        var taskID: TraceTaskID
        var hint: KindHint
    }

    /// What the job's flags say about the task's origin.
    enum KindHint: UInt8, Sendable {
        case unknown = 0
        case notChild = 1
        case child = 2
        case groupChild = 3
        case asyncLet = 4
        /// A job with no task id that is a default actor's job (job kinds 0xC0…0xC2: inline, separate,
        /// override); other untracked jobs, such as the continuation `Task.yield()` enqueues (0xC3), are not.
        case defaultActor = 5
        /// Process capture: a task that is not a child, enqueued through the global-executor hook (`Task {}`,
        /// `Task.detached {}`). Set by the executor, never by `lookup`: the deriver holds its job ends until the
        /// task runs again or is known to have finished.
        case unstructured = 6

        var isStructuredChild: Bool { self == .child || self == .groupChild || self == .asyncLet }
    }

    /// Returns the job's task id and kind hint; must not retain or consume the job.
    let lookup: @Sendable (UnownedJob) -> Info
    /// Returns the id of the Swift task current on the calling thread, 0 when there is none (or it is unreadable).
    let currentTaskID: @Sendable () -> TraceTaskID

    init(
        lookup: @escaping @Sendable (UnownedJob) -> Info,
        currentTaskID: @escaping @Sendable () -> TraceTaskID = { 0 }
    ) {
        self.lookup = lookup
        self.currentTaskID = currentTaskID
    }

    /// The real lookup through the Swift runtime.
    static let runtime = JobIdentity(lookup: runtimeLookup, currentTaskID: runtimeCurrentTaskID)

    private static let runtimeCurrentTaskID: @Sendable () -> TraceTaskID = {
        // The task object is a job; reading it as one relies on `UnsafeCurrentTask` holding exactly that pointer.
        guard MemoryLayout<UnsafeCurrentTask>.size == MemoryLayout<UnownedJob>.size else { return 0 }
        return withUnsafeCurrentTask { task in
            guard let task else { return 0 }
            return _tasktraceJobTaskID(unsafeBitCast(task, to: UnownedJob.self))
        }
    }

    private static let runtimeLookup: @Sendable (UnownedJob) -> Info = { job in
        let id = _tasktraceJobTaskID(job)
        let flags = _tasktraceJobFlags(job)
        guard id != 0 else {
            let kind = flags & 0xFF
            return Info(taskID: 0, hint: (0xC0...0xC2).contains(kind) ? .defaultActor : .unknown)
        }
        // Kind 0 in the low byte is "task"; anything else means the layout is not what we checked.
        guard flags & 0xFF == 0 else { return Info(taskID: id, hint: .unknown) }
        let hint: KindHint
        if flags & (1 << 26) != 0 {
            hint = .groupChild
        } else if flags & (1 << 28) != 0 {
            hint = .asyncLet
        } else if flags & (1 << 24) != 0 {
            hint = .child
        } else {
            hint = .notChild
        }
        return Info(taskID: id, hint: hint)
    }

    /// Fallback that parses `ExecutorJob(id: N)`; slower (formats a string per job). Not used by default.
    static func parse(description: String) -> TraceTaskID {
        guard let open = description.firstIndex(of: ":"), let close = description.lastIndex(of: ")") else { return 0 }
        let digits = description[description.index(after: open)..<close].trimmingPrefix(" ")
        return TraceTaskID(digits) ?? 0
    }

    /// A lookup that never finds a task id: every job is untracked.
    static let unavailable = JobIdentity(lookup: { _ in Info(taskID: 0, hint: .unknown) })
}

/// Evidence about tasks that only process capture reads. Together with `JobIdentity` this is every non-public runtime
/// entry point tasktrace uses (the C target `CTaskTraceHooks` looks each one up with `dlsym`, so a runtime without
/// it degrades instead of failing to load):
///
/// - `swift_task_getCurrentTaskName`: `Task(name:)` of the task running on this thread, readable only while one of
///   its jobs runs — so it is read when that task enqueues something (a child, a yield, a hop), never before.
/// - `swift_task_isCancelled(task)`: read just before a job runs, while the task is certainly alive.
/// - lifetime: a weak reference to the task object, taken before its job runs. If the object is gone when the job
///   returns, the runtime freed the task, which it does only once the task has finished: that job was its last.
///   (Checked on Swift 6.3.1: a `Task {}` or `Task.detached {}` whose handle nobody keeps is freed at the end of its
///   final job; a task whose handle is kept stays alive, so its end stays unknown.)
/// Thread-safe (stateless).
enum TaskEvidence {
    /// `Task.name` of the task whose job runs on the calling thread, or nil.
    static func currentTaskName() -> String? {
        guard let name = tasktrace_current_task_name() else { return nil }
        return String(cString: name)
    }

    /// A task object watched across one of its jobs. Reference type because Swift keeps weak references in classes.
    /// `@unchecked Sendable`: the weak reference is only ever loaded after `init` (Swift's weak loads are atomic) and
    /// the flag is immutable.
    final class LifetimeWatch: @unchecked Sendable {
        private weak var task: AnyObject?
        /// The cancellation flag when the job started (false if unreadable).
        let wasCancelled: Bool

        /// Call only with a job that is a task (task id != 0), before it runs: the task is alive then.
        init(job: UnownedJob) {
            let pointer = unsafeBitCast(job, to: UnsafeMutableRawPointer.self)
            task = Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue()
            wasCancelled = tasktrace_task_is_cancelled(pointer) == 1
        }

        /// True once the runtime has freed the task (it finished).
        var taskFreed: Bool { task == nil }
    }
}

@_silgen_name("swift_task_getJobTaskId")
private func _tasktraceJobTaskID(_ job: UnownedJob) -> UInt64

@_silgen_name("swift_task_getJobFlags")
private func _tasktraceJobFlags(_ job: UnownedJob) -> UInt32
