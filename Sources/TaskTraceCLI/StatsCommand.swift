import ArgumentParser
import TaskTraceExport
import TaskTraceModel

/// `tasktrace stats TRACE [--json] [--sort FIELD] [--top N | --all] [--by-name] [--threads]`: per-task statistics
/// as a task list, per-name aggregates and thread utilisation. Wiring only: `StatsReport` computes and formats.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Per-task statistics (a task manager's list), per-name aggregates and thread utilisation.",
        discussion: """
            Columns: TOTAL = lifetime (an unfinished task counts to the end of the trace) = SCHED (waiting for a \
            worker) + BUSY (running) + IDLE (suspended, awaiting something), plus time in `created`. \
            JOBS = jobs run (polls); FIRST RUN = time from creation to the first job. JSON: docs/analysis.md.
            """
    )

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    @Flag(help: "Print JSON (docs/analysis.md) instead of tables.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Sort the task list by total, busy, sched, idle, jobs, first-run, longest-job, id or name.",
            valueName: "field"))
    var sort: String = "total"

    @Option(help: ArgumentHelp("List only the first N tasks (default 25).", valueName: "n"))
    var top: Int?

    @Flag(help: "List every task.")
    var all = false

    @Flag(name: .customLong("by-name"), help: "Add aggregates per task name (p50/p90/p99/max).")
    var byName = false

    @Flag(help: "Add utilisation per thread (untracked jobs included).")
    var threads = false

    func run() throws {
        guard let field = StatsReport.SortField(flag: sort) else {
            let known = StatsReport.SortField.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--sort '\(sort)' is not a field; use one of \(known)")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if all && top != nil { throw ValidationError("use either --top or --all, not both") }
        let timeline = try loadTimeline(tracePath: trace, options: TimelineOptions(), showProgress: true)
        let statistics = timeline.taskStatistics()
        let limit = all ? statistics.count : (top ?? 25)
        let rows = Array(StatsReport.sorted(statistics, by: field, in: timeline).prefix(limit))
        let groups = byName ? timeline.nameStatistics(statistics) : nil
        let threadRows = threads ? timeline.threadStatistics() : nil
        if json {
            var out = ByteWriter.collecting()
            StatsReport.json(timeline: timeline, rows: rows, sort: field, groups: groups, threads: threadRows)
                .write(to: &out)
            out.write("\n")
            try writeStandardOutput(out.bytes)
            return
        }
        var lines = TraceOverview(timeline).lines
        lines.append("")
        lines += rows.isEmpty ? ["no tasks in this trace"] : StatsReport.taskTable(rows, in: timeline)
        if rows.count < statistics.count {
            lines.append("… \(statistics.count - rows.count) more tasks (--top N or --all to list them)")
        }
        if let groups {
            lines += ["", "by name (names differing only in a trailing number are one group):"]
            lines += StatsReport.nameTable(groups)
        }
        if let threadRows {
            lines += ["", "threads (utilisation over the whole trace, untracked jobs included):"]
            lines += StatsReport.threadTable(threadRows)
        }
        try printLines(lines)
    }
}

/// Prints lines made safe for a terminal (control characters from the trace shown escaped), in one write.
func printLines(_ lines: [String]) throws {
    var text = ""
    for line in lines {
        text += TerminalText.oneLine(line)
        text += "\n"
    }
    try writeStandardOutput(Array(text.utf8))
}
