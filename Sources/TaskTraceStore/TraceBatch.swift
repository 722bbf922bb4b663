public import TaskTraceModel

/// Rows the recorder hands to `TraceWriter.write(_:)` in one transaction.
///
/// Tasks are upserts: a later record for the same id fills in what an earlier one lacked (name, parent, error).
public struct TraceBatch: Sendable {
    public var transitions: [TransitionRecord]
    public var tasks: [TaskRecord]
    public var threads: [ThreadRecord]
    public var marks: [MarkRecord]
    public var untrackedJobs: [UntrackedJobRecord]
    /// For each transition, a small dense number for its task (the recorder's per-task slot), or empty. When
    /// given, the writer finds a task's open job row by this number instead of hashing the task id: two to three
    /// hash lookups fewer per job on the writer's busiest path.
    package var transitionSlots: [UInt32] = []

    public init(
        transitions: [TransitionRecord] = [], tasks: [TaskRecord] = [], threads: [ThreadRecord] = [],
        marks: [MarkRecord] = [], untrackedJobs: [UntrackedJobRecord] = []
    ) {
        self.untrackedJobs = untrackedJobs
        self.transitions = transitions
        self.tasks = tasks
        self.threads = threads
        self.marks = marks
    }

    public var isEmpty: Bool { transitions.isEmpty && tasks.isEmpty && threads.isEmpty && marks.isEmpty && untrackedJobs.isEmpty }
}
