public import TaskTraceModel

/// How much a finding matters; `tasktrace lint --fail-on LEVEL` fails on findings at or above a level.
/// Thread-safe (a value type).
public enum FindingSeverity: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Worth knowing, not a bug by itself (a timeout that fired as designed).
    case info = 0
    /// Probably a problem: a blocked worker, a task left running, a starved task.
    case warning = 1
    /// A bug: an error nobody saw.
    case error = 2

    /// `info`, `warning`, `error`.
    public var name: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses `info`, `warning` or `error`.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The lints tasktrace knows; the raw value is the stable id used in output and JSON.
/// Thread-safe (a value type).
public enum FindingRule: String, Sendable, Hashable, CaseIterable {
    case blockingJob = "blocking-job"
    case errorNeverRetrieved = "error-never-retrieved"
    case unfinishedAtEnd = "unfinished-at-end"
    case cancellationIgnored = "cancellation-ignored"
    case starvation = "starvation"
    case orphan = "orphan"
    case timeoutFired = "timeout-fired"
}

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
