public import TaskTraceModel

/// The few facts every analysis output starts with: how long, how many tasks, how they ended, and whether the
/// trace is exact (a result on an incomplete trace must say so). Thread-safe (a value type).
public struct TraceOverview: Sendable, Hashable {
    public var duration: TraceNanos
    public var taskCount: Int
    public var workers: Int?
    public var outcomes: [(outcome: String, count: Int)]
    /// `Timeline.integrity.summary`: nil when the trace is exact.
    public var integritySummary: String?
    /// The recording did not end normally (no `ended_unix_ns` in meta).
    public var cutShort: Bool

    public init(_ timeline: Timeline) {
        duration = timeline.end >= timeline.start ? timeline.end - timeline.start : 0
        taskCount = timeline.tasks.count
        workers = timeline.meta[MetaKey.workers].flatMap { Int($0) }
        outcomes = timeline.outcomeCounts()
        integritySummary = timeline.integrity.summary
        cutShort = timeline.meta[MetaKey.endedUnixNs] == nil
    }

    /// `478 tasks over 1.78s on 1 worker: cancelled 25, done 427, errored 23, unfinished 3`, then warning lines.
    public var lines: [String] {
        var first = "\(taskCount) task\(taskCount == 1 ? "" : "s") over \(TraceTimeText.format(duration))"
        if let workers { first += " on \(workers) worker\(workers == 1 ? "" : "s")" }
        if !outcomes.isEmpty { first += ": " + outcomes.map { "\($0.outcome) \($0.count)" }.joined(separator: ", ") }
        var result = [first]
        if let integritySummary {
            result.append(
                "warning: the trace is not exact (\(integritySummary)): numbers and findings may be incomplete")
        }
        if cutShort {
            result.append(
                "warning: the recording was cut short (no end time in meta): open tasks may have finished later")
        }
        return result
    }

    public var json: JSONValue {
        .object([
            ("duration_ns", .uint(duration)),
            ("tasks", .int(taskCount)),
            ("workers", workers.map(JSONValue.int) ?? .null),
            ("outcomes", .object(outcomes.map { ($0.outcome, .int($0.count)) })),
            ("exact", .bool(integritySummary == nil)),
            ("integrity", .optional(integritySummary)),
            ("cut_short", .bool(cutShort)),
        ])
    }

    public static func == (lhs: TraceOverview, rhs: TraceOverview) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { json.hash(into: &hasher) }
}
