/// Checks a stream of transitions against the task state machine, one task at a time.
///
/// Feed transitions in recorded order; each task must start with `created` and follow
/// `TaskState.canTransition(to:)`. Not thread-safe: use from one thread.
public struct TransitionValidator: Sendable {
    /// A transition the state machine does not allow.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public var taskID: TraceTaskID
        public var from: TaskState?
        public var to: TaskState
        public var timestamp: TraceNanos

        public var description: String {
            "task \(taskID): \(from?.name ?? "(none)") -> \(to.name) at \(timestamp) ns"
        }
    }

    private var lastState: [TraceTaskID: TaskState] = [:]
    private var lastTimestamp: [TraceTaskID: TraceNanos] = [:]
    public private(set) var violations: [Violation] = []
    /// Transitions whose timestamp is earlier than the task's previous one.
    public private(set) var timeReversals: Int = 0

    public init() {}

    /// Records one transition, noting a violation if the state machine does not allow it.
    public mutating func observe(_ record: TransitionRecord) {
        let previous = lastState[record.taskID]
        let legal: Bool
        if let previous {
            legal = previous.canTransition(to: record.state)
        } else {
            legal = record.state == .created
        }
        if !legal {
            violations.append(Violation(taskID: record.taskID, from: previous, to: record.state, timestamp: record.timestamp))
        }
        if let lastTime = lastTimestamp[record.taskID], record.timestamp < lastTime {
            timeReversals += 1
        }
        lastState[record.taskID] = record.state
        lastTimestamp[record.taskID] = record.timestamp
    }

    /// The last state of every task seen so far.
    public var finalStates: [TraceTaskID: TaskState] { lastState }

    /// Tasks whose last state is not terminal.
    public var unfinishedTasks: [TraceTaskID] {
        lastState.filter { !$0.value.isTerminal }.map(\.key).sorted()
    }
}
