/// One state of a task's life cycle, modelled on Python asyncio's task life cycle.
///
/// ```
/// created ──> scheduled ──> running ──> done | cancelled | errored
///                ^             │
///                └─ suspended <┘
/// ```
///
/// The raw value is the code stored in the trace file (`transition_log.state_code`); it is part of the
/// file format and must never change for an existing case. Thread-safe (a value type).
public enum TaskState: UInt8, Sendable, CaseIterable, Hashable, Comparable {
    case created = 0
    case scheduled = 1
    case running = 2
    case suspended = 3
    case done = 4
    case cancelled = 5
    case errored = 6

    /// The name stored in the `transitions.state` column and shown by every export.
    public var name: String {
        switch self {
        case .created: "created"
        case .scheduled: "scheduled"
        case .running: "running"
        case .suspended: "suspended"
        case .done: "done"
        case .cancelled: "cancelled"
        case .errored: "errored"
        }
    }

    /// Parses a state name as stored in the trace (`"running"`), or returns nil.
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }

    /// True for the three states that end a task: done, cancelled, errored.
    public var isTerminal: Bool {
        switch self {
        case .done, .cancelled, .errored: true
        default: false
        }
    }

    /// Whether `self -> next` is a legal transition of the state machine in docs/schema.md.
    ///
    /// created -> scheduled | cancelled; scheduled -> running; running -> suspended | done | cancelled | errored;
    /// suspended -> scheduled. Nothing leaves a terminal state.
    public func canTransition(to next: TaskState) -> Bool {
        switch (self, next) {
        case (.created, .scheduled), (.created, .cancelled): true
        case (.scheduled, .running): true
        case (.running, .suspended), (.running, .done), (.running, .cancelled), (.running, .errored): true
        case (.suspended, .scheduled): true
        default: false
        }
    }

    public static func < (lhs: TaskState, rhs: TaskState) -> Bool { lhs.rawValue < rhs.rawValue }
}
