public import TaskTraceModel

/// One thing a lint found about one task: what, where, when, why it matters, and what to do about it.
///
/// Thread-safe (a value type).
public struct Finding: Sendable, Hashable {
    public var rule: FindingRule
    public var severity: FindingSeverity
    /// Index into `Timeline.tasks`.
    public var taskIndex: Int
    public var taskID: TraceTaskID
    /// `name #id` as every view shows it.
    public var taskName: String
    /// When it happened (ns since the trace started): the start of the blocking job, the cancellation request…
    public var time: TraceNanos
    /// How long the problem lasted, when it has a length.
    public var duration: TraceNanos?
    /// `File.swift:12` where the task was spawned, when the trace knows it.
    public var spawnSite: String?
    /// One sentence that explains the finding with the trace's numbers.
    public var message: String
    /// One sentence with a fix.
    public var suggestion: String
    /// Other tasks involved (the tasks queued behind a blocking job, the parent an orphan outlived…).
    public var relatedTaskIDs: [TraceTaskID]

    public init(
        rule: FindingRule, severity: FindingSeverity, taskIndex: Int, task: TimelineTask, time: TraceNanos,
        duration: TraceNanos?, message: String, suggestion: String, relatedTaskIDs: [TraceTaskID] = []
    ) {
        self.rule = rule
        self.severity = severity
        self.taskIndex = taskIndex
        self.taskID = task.id
        self.taskName = task.displayName
        self.time = time
        self.duration = duration
        self.spawnSite = task.spawnSite
        self.message = message
        self.suggestion = suggestion
        self.relatedTaskIDs = relatedTaskIDs
    }

    /// The order findings are listed in: most severe first, then by time, rule and task id.
    public static func listedBefore(_ lhs: Finding, _ rhs: Finding) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        if lhs.rule != rhs.rule { return lhs.rule.rawValue < rhs.rule.rawValue }
        return lhs.taskID < rhs.taskID
    }
}
