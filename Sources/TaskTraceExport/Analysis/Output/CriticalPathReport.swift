import TaskTraceModel

/// `tasktrace critical-path` output: the chain, each task's share and where it waited, and the same as JSON
/// (docs/analysis.md). Pure: the CLI only prints. Thread-safe (stateless).
public enum CriticalPathReport {
    /// One path as lines: a title, the chain, a table of shares, and the steps in time order (at most `maxSteps`).
    public static func lines(_ path: CriticalPath, in timeline: Timeline, maxSteps: Int = 40) -> [String] {
        let target = timeline.tasks[path.taskIndex]
        var result = [
            "critical path of \(target.displayName) (\(target.outcomeLabel)): \(TraceTimeText.format(path.duration)) "
                + "from \(TraceTimeText.format(path.start)) to \(TraceTimeText.format(path.end))",
            "chain: " + path.chain.map { timeline.tasks[$0].displayName }.joined(separator: " → "),
        ]
        var table = TextTable([
            .init(title: "SHARE", rightAligned: true), .init(title: "TIME", rightAligned: true),
            .init(title: "TASK", rightAligned: false, maxWidth: 36), .init(title: "RUNNING", rightAligned: true),
            .init(title: "QUEUED", rightAligned: true), .init(title: "WAITING", rightAligned: true),
            .init(title: "WAITED FOR", rightAligned: false, maxWidth: 60),
        ])
        for share in path.shares.sorted(by: { $0.time != $1.time ? $0.time > $1.time : $0.taskIndex < $1.taskIndex }) {
            table.add([
                StatsReport.percent(perMille: share.perMille), TraceTimeText.format(share.time),
                timeline.tasks[share.taskIndex].displayName, TraceTimeText.format(share.running),
                TraceTimeText.format(share.queued), TraceTimeText.format(share.waiting),
                share.waitedFor.isEmpty
                    ? "-" : share.waitedFor.map { timeline.tasks[$0].displayName }.joined(separator: ", "),
            ])
        }
        result += table.lines().map { "  " + $0 }
        result.append("  steps (WAITING = a sleep, timer or I/O outside the trace; QUEUED = waiting for a worker):")
        // One unit for every step, chosen by the path's span, so neighbouring steps stay distinguishable.
        let unit = TraceTimeText.unit(forSpan: path.duration)
        for step in path.steps.prefix(maxSteps) {
            result.append(
                "    \(TraceTimeText.format(step.start, unit: unit)) – \(TraceTimeText.format(step.end, unit: unit))  "
                    + "\(timeline.tasks[step.taskIndex].displayName) \(stepLabel(step.state))"
            )
        }
        if path.steps.count > maxSteps {
            result.append("    … \(path.steps.count - maxSteps) more steps (--json lists them)")
        }
        return result
    }

    static func stepLabel(_ state: TaskState) -> String {
        switch state {
        case .running: "running"
        case .suspended: "waiting (outside the trace)"
        case .scheduled: "queued for a worker"
        default: state.name
        }
    }

    /// The JSON document of `tasktrace critical-path --json` (format `tasktrace-critical-path`, version 1).
    public static func json(_ paths: [CriticalPath], timeline: Timeline) -> JSONValue {
        .object([
            ("format", .string("tasktrace-critical-path")), ("version", .int(1)),
            ("trace", TraceOverview(timeline).json),
            ("paths", .array(paths.map { pathJSON($0, timeline) })),
        ])
    }

    public static func pathJSON(_ path: CriticalPath, _ timeline: Timeline) -> JSONValue {
        let tasks = timeline.tasks
        return .object([
            ("task_id", .uint(tasks[path.taskIndex].id)), ("task_name", .string(tasks[path.taskIndex].displayName)),
            ("outcome", .string(tasks[path.taskIndex].outcomeLabel)), ("start_ns", .uint(path.start)),
            ("end_ns", .uint(path.end)), ("duration_ns", .uint(path.duration)),
            ("chain", .array(path.chain.map { .uint(tasks[$0].id) })),
            (
                "tasks",
                .array(
                    path.shares.map { share in
                        .object([
                            ("task_id", .uint(tasks[share.taskIndex].id)),
                            ("task_name", .string(tasks[share.taskIndex].displayName)),
                            ("time_ns", .uint(share.time)), ("share_per_mille", .int(share.perMille)),
                            ("running_ns", .uint(share.running)), ("queued_ns", .uint(share.queued)),
                            ("waiting_ns", .uint(share.waiting)),
                            ("waited_for", .array(share.waitedFor.map { .uint(tasks[$0].id) })),
                        ])
                    }
                )
            ),
            (
                "steps",
                .array(
                    path.steps.map { step in
                        .object([
                            ("task_id", .uint(tasks[step.taskIndex].id)), ("start_ns", .uint(step.start)),
                            ("end_ns", .uint(step.end)), ("state", .string(step.state.name)),
                        ])
                    }
                )
            ),
        ])
    }
}
