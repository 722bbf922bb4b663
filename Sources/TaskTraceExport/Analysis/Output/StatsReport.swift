import TaskTraceModel

/// `tasktrace stats` output: a task list that reads like a task manager (tokio-console's task list is the
/// model), per-name and per-thread tables, and the same as JSON (docs/analysis.md). Pure: the CLI only prints.
///
/// Thread-safe (stateless).
public enum StatsReport {
    /// What the task list can be sorted by. Durations and counts sort largest first, `id` and `name` ascending.
    public enum SortField: String, Sendable, CaseIterable {
        case total, busy, sched, idle, jobs, firstRun = "first-run", longestJob = "longest-job", id, name

        /// Accepts the field names and a few synonyms (`lifetime`, `running`, `scheduled`, `suspended`, `polls`).
        public init?(flag: String) {
            let synonyms: [String: SortField] = [
                "lifetime": .total, "running": .busy, "scheduled": .sched, "queue": .sched, "suspended": .idle,
                "polls": .jobs,
            ]
            guard let field = SortField(rawValue: flag.lowercased()) ?? synonyms[flag.lowercased()] else { return nil }
            self = field
        }
    }

    /// `statistics` sorted by `field` (ties by tree order).
    public static func sorted(_ statistics: [TaskStatistics], by field: SortField, in timeline: Timeline)
        -> [TaskStatistics]
    {
        func key(_ row: TaskStatistics) -> UInt64 {
            switch field {
            case .total: row.lifetime
            case .busy: row.running
            case .sched: row.scheduled
            case .idle: row.suspended
            case .jobs: UInt64(row.jobs)
            case .firstRun: row.timeToFirstRun ?? 0
            case .longestJob: row.longestJob
            case .id, .name: 0
            }
        }
        return statistics.sorted { lhs, rhs in
            switch field {
            case .id: return lhs.id != rhs.id ? lhs.id < rhs.id : lhs.taskIndex < rhs.taskIndex
            case .name:
                let (a, b) = (timeline.tasks[lhs.taskIndex].displayName, timeline.tasks[rhs.taskIndex].displayName)
                return a != b ? a < b : lhs.taskIndex < rhs.taskIndex
            default:
                let (a, b) = (key(lhs), key(rhs))
                return a != b ? a > b : lhs.taskIndex < rhs.taskIndex
            }
        }
    }

    /// State shown in the list: the outcome, or `open: suspended` for a task still alive at the end.
    static func stateText(_ task: TimelineTask) -> String {
        task.isUnfinished ? "open: \(task.finalState?.name ?? "?")" : task.outcomeLabel
    }

    /// The task list: one header line, one line per row.
    public static func taskTable(_ rows: [TaskStatistics], in timeline: Timeline) -> [String] {
        var table = TextTable([
            .init(title: "ID", rightAligned: true), .init(title: "NAME", rightAligned: false, maxWidth: 32),
            .init(title: "KIND", rightAligned: false), .init(title: "STATE", rightAligned: false),
            .init(title: "TOTAL", rightAligned: true), .init(title: "BUSY", rightAligned: true),
            .init(title: "SCHED", rightAligned: true), .init(title: "IDLE", rightAligned: true),
            .init(title: "JOBS", rightAligned: true), .init(title: "FIRST RUN", rightAligned: true),
            .init(title: "LONGEST JOB", rightAligned: true),
        ])
        for row in rows {
            let task = timeline.tasks[row.taskIndex]
            table.add([
                String(task.id), task.name ?? "(\(NameStatistics.groupName(of: task)))", task.kind.rawValue,
                stateText(task), time(row.lifetime), time(row.running), time(row.scheduled), time(row.suspended),
                String(row.jobs), row.timeToFirstRun.map(time) ?? "-", row.jobs > 0 ? time(row.longestJob) : "-",
            ])
        }
        return table.lines()
    }

    /// Aggregates per name group.
    public static func nameTable(_ groups: [NameStatistics]) -> [String] {
        var table = TextTable(
            [.init(title: "NAME", rightAligned: false, maxWidth: 32), .init(title: "COUNT", rightAligned: true)]
                + ["TOTAL", "BUSY", "SCHED"].flatMap { prefix in
                    ["p50", "p90", "p99", "max"].map { TextTable.Column(title: "\(prefix) \($0)", rightAligned: true) }
                }
        )
        for group in groups {
            table.add(
                [group.name, String(group.count)]
                    + [group.lifetime, group.busy, group.queueLatency].flatMap {
                        [time($0.p50), time($0.p90), time($0.p99), time($0.max)]
                    }
            )
        }
        return table.lines()
    }

    /// Utilisation per thread.
    public static func threadTable(_ threads: [ThreadStatistics]) -> [String] {
        var table = TextTable([
            .init(title: "ID", rightAligned: true), .init(title: "THREAD", rightAligned: false),
            .init(title: "KIND", rightAligned: false), .init(title: "JOBS", rightAligned: true),
            .init(title: "BUSY", rightAligned: true), .init(title: "UNTRACKED JOBS", rightAligned: true),
            .init(title: "UNTRACKED BUSY", rightAligned: true), .init(title: "UTILISATION", rightAligned: true),
        ])
        for thread in threads {
            table.add([
                String(thread.id), thread.name, thread.kind?.rawValue ?? "-", String(thread.jobs), time(thread.busy),
                String(thread.untrackedJobs), time(thread.untrackedBusy), percent(perMille: thread.utilisationPerMille),
            ])
        }
        return table.lines()
    }

    /// `12.3%` from per mille.
    static func percent(perMille: Int) -> String { "\(perMille / 10).\(perMille % 10)%" }

    static func time(_ nanos: TraceNanos) -> String { TraceTimeText.format(nanos) }

    /// The JSON document of `tasktrace stats --json` (format `tasktrace-stats`, version 1).
    public static func json(
        timeline: Timeline, rows: [TaskStatistics], sort: SortField, groups: [NameStatistics]?,
        threads: [ThreadStatistics]?
    ) -> JSONValue {
        var document: [(String, JSONValue)] = [
            ("format", .string("tasktrace-stats")), ("version", .int(1)), ("trace", TraceOverview(timeline).json),
            ("sort", .string(sort.rawValue)), ("tasks_listed", .int(rows.count)),
            ("tasks", .array(rows.map { taskJSON($0, timeline.tasks[$0.taskIndex]) })),
        ]
        if let groups { document.append(("by_name", .array(groups.map(groupJSON)))) }
        if let threads { document.append(("threads", .array(threads.map(threadJSON)))) }
        return .object(document)
    }

    static func taskJSON(_ row: TaskStatistics, _ task: TimelineTask) -> JSONValue {
        .object([
            ("id", .uint(task.id)), ("name", .optional(task.name)), ("display_name", .string(task.displayName)),
            ("kind", .string(task.kind.rawValue)), ("parent_id", .optional(task.parentID)),
            ("outcome", .string(task.outcome)), ("outcome_inferred", .bool(task.outcomeInferred && !task.isUnfinished)),
            ("state_at_end", task.isUnfinished ? .optional(task.finalState?.name) : .null),
            ("spawn_site", .optional(task.spawnSite)), ("created_at_ns", .optional(task.createdAt)),
            ("lifetime_ns", .uint(row.lifetime)), ("created_ns", .uint(row.created)),
            ("scheduled_ns", .uint(row.scheduled)), ("running_ns", .uint(row.running)),
            ("suspended_ns", .uint(row.suspended)), ("jobs", .int(row.jobs)),
            ("time_to_first_run_ns", .optional(row.timeToFirstRun)), ("longest_job_ns", .uint(row.longestJob)),
            ("longest_queue_wait_ns", .uint(row.longestQueueWait)),
        ])
    }

    static func percentilesJSON(_ value: Percentiles) -> JSONValue {
        .object([
            ("p50", .uint(value.p50)), ("p90", .uint(value.p90)), ("p99", .uint(value.p99)), ("max", .uint(value.max)),
        ])
    }

    static func groupJSON(_ group: NameStatistics) -> JSONValue {
        .object([
            ("name", .string(group.name)), ("count", .int(group.count)),
            ("lifetime_ns", percentilesJSON(group.lifetime)), ("running_ns", percentilesJSON(group.busy)),
            ("scheduled_ns", percentilesJSON(group.queueLatency)),
        ])
    }

    static func threadJSON(_ thread: ThreadStatistics) -> JSONValue {
        .object([
            ("id", .uint(UInt64(thread.id))), ("name", .string(thread.name)),
            ("kind", .optional(thread.kind?.rawValue)),
            ("jobs", .int(thread.jobs)), ("busy_ns", .uint(thread.busy)),
            ("untracked_jobs", .int(thread.untrackedJobs)),
            ("untracked_busy_ns", .uint(thread.untrackedBusy)), ("span_ns", .uint(thread.span)),
            ("utilisation_per_mille", .int(thread.utilisationPerMille)),
        ])
    }
}
