public import TaskTraceModel

/// One thing `TraceChecker` found wrong (an error) or worth knowing (a warning) about a trace.
///
/// `code` is stable and machine-readable (docs/schema.md lists every code); `message` is one line for a person.
/// Thread-safe (a value type).
public struct TraceCheckProblem: Sendable, Hashable, Codable {
    /// An error makes the trace invalid; a warning does not (the trace is complete and legal, but incomplete or
    /// inexact in a way the recorder knows about, such as dropped events or a recording that never finished).
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    /// Stable identifier of the kind of problem, e.g. `illegal_transition`, `parent_cycle`, `dropped_events`.
    public var code: String
    /// The task the problem concerns, when it concerns one.
    public var taskID: TraceTaskID?
    /// One line, e.g. `task 12: running -> created is not a legal transition (seq 40, at 1200 ns)`.
    public var message: String

    public init(severity: Severity, code: String, taskID: TraceTaskID? = nil, message: String) {
        self.severity = severity
        self.code = code
        self.taskID = taskID
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case severity, code, message
        case taskID = "task_id"
    }

    /// Always writes `task_id` (null when the problem concerns no task), so the JSON has one fixed shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(code, forKey: .code)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(message, forKey: .message)
    }
}
