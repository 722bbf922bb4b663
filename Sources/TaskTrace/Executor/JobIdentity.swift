import TaskTraceModel

/// Reads who a job belongs to. The ONLY place that touches non-public runtime entry points.
///
/// - `swift_task_getJobTaskId` (exported by libswift_Concurrency, the function behind `ExecutorJob.description`)
///   gives the task id of a job, 0 for jobs that are not tasks (default actors' jobs).
/// - `swift_task_getJobFlags` gives a task's job flags; bit 24 marks a child task, bit 26 a task-group child and
///   bit 28 an `async let` child (checked on Swift 6.3.1 on Linux: a root task reads `0x62…`, a group child
///   `0x27…`/`0x67…`, an async let `0x33…`). It is called only for jobs that are tasks (id != 0), whose flags
///   word exists in every job.
///
/// Neither is public API. The lookup is a replaceable value so the runtime keeps working (degrades to
/// untracked jobs) if either ever changes; tests replace it to prove that. Thread-safe (immutable).
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

        var isStructuredChild: Bool { self == .child || self == .groupChild || self == .asyncLet }
    }

    /// Returns the job's task id and kind hint; must not retain or consume the job.
    let lookup: @Sendable (UnownedJob) -> Info

    init(lookup: @escaping @Sendable (UnownedJob) -> Info) {
        self.lookup = lookup
    }

    /// The real lookup through the Swift runtime.
    static let runtime = JobIdentity { job in
        let id = _tasktraceJobTaskID(job)
        guard id != 0 else { return Info(taskID: 0, hint: .unknown) }
        let flags = _tasktraceJobFlags(job)
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
    static let unavailable = JobIdentity { _ in Info(taskID: 0, hint: .unknown) }
}

@_silgen_name("swift_task_getJobTaskId")
private func _tasktraceJobTaskID(_ job: UnownedJob) -> UInt64

@_silgen_name("swift_task_getJobFlags")
private func _tasktraceJobFlags(_ job: UnownedJob) -> UInt32
