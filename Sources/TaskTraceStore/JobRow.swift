public import TaskTraceModel

/// One row of `job_log` (format versions 2 and 3): up to four consecutive transitions of one task, in slot order
/// created → scheduled → running → end, where "end" is `suspended` or a terminal state.
///
/// A job of a task is typically one row: its enqueue (`scheduled`), its start on a worker (`running`) and how it
/// ended (`suspended`, `done`, …); a task's first row also holds `created`. Any sequence of transitions fits in
/// rows: a transition that cannot follow the row's last slot, or a `scheduled` whose thread differs from its
/// row's `created`, starts a new row (see `JobRowPacker`). `nil` timestamps are empty slots.
///
/// Threads: `fromThread` belongs to `created` and `scheduled` (the thread that created or enqueued the task),
/// `threadID` to `running` (the thread that ran the job), `endThread` to the end (the same thread, or none when
/// the end was decided later). 0 means no thread, as in `TransitionRecord`. Thread-safe (a value type).
public struct JobRow: Sendable, Hashable {
    public var taskID: TraceTaskID
    public var created: TraceNanos?
    public var scheduled: TraceNanos?
    public var fromThread: TraceThreadID = 0
    public var running: TraceNanos?
    public var end: TraceNanos?
    /// `suspended`, `done`, `cancelled` or `errored` when `end` is set.
    public var endState: TaskState?
    public var threadID: TraceThreadID = 0
    public var endThread: TraceThreadID = 0
    /// The end was inferred, not observed (an `inferred_outcome` mark in the `marks` view).
    public var endInferred = false

    public init(taskID: TraceTaskID) {
        self.taskID = taskID
    }

    /// The slot a state fills: 0 created, 1 scheduled, 2 running, 3 end.
    static func slot(of state: TaskState) -> Int {
        switch state {
        case .created: 0
        case .scheduled: 1
        case .running: 2
        case .suspended, .done, .cancelled, .errored: 3
        }
    }

    /// The highest filled slot, or -1 for an empty row.
    var lastSlot: Int {
        if end != nil { return 3 }
        if running != nil { return 2 }
        if scheduled != nil { return 1 }
        return created != nil ? 0 : -1
    }

    /// Whether `transition` can be stored in this row after what it holds.
    func accepts(_ transition: TransitionRecord) -> Bool {
        let slot = Self.slot(of: transition.state)
        guard slot > lastSlot else { return false }
        return slot > 1 || (created == nil && scheduled == nil) || fromThread == transition.threadID
    }

    /// Stores `transition` in its slot; call only when `accepts(transition)`.
    mutating func store(_ transition: TransitionRecord) {
        switch transition.state {
        case .created:
            created = transition.timestamp
            fromThread = transition.threadID
        case .scheduled:
            scheduled = transition.timestamp
            fromThread = transition.threadID
        case .running:
            running = transition.timestamp
            threadID = transition.threadID
        case .suspended, .done, .cancelled, .errored:
            end = transition.timestamp
            endState = transition.state
            endThread = transition.threadID
        }
    }

    /// Calls `body` with the row's transitions in order (what the `transitions` view shows for it), without
    /// allocating.
    @inline(__always)
    public func forEachTransition(_ body: (TransitionRecord) throws -> Void) rethrows {
        if let created {
            try body(TransitionRecord(taskID: taskID, timestamp: created, state: .created, threadID: fromThread))
        }
        if let scheduled {
            try body(TransitionRecord(taskID: taskID, timestamp: scheduled, state: .scheduled, threadID: fromThread))
        }
        if let running {
            try body(TransitionRecord(taskID: taskID, timestamp: running, state: .running, threadID: threadID))
        }
        if let end, let endState {
            try body(TransitionRecord(taskID: taskID, timestamp: end, state: endState, threadID: endThread))
        }
    }
}
