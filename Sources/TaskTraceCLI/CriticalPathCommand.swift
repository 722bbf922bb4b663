import ArgumentParser
import TaskTraceExport
import TaskTraceModel

/// `tasktrace critical-path TRACE [--task ID] [--json]`: the chain of tasks that decided when each root (or the
/// given task) finished. Wiring only: `CriticalPathReport` formats.
struct CriticalPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "critical-path",
        abstract: "The chain of tasks whose completion decided when a task finished, with each one's share.",
        discussion: """
            Walks back from the task's end: through its own running and queued time, into the task whose job \
            woke it from a wait, and at a task's creation into the parent that spawned it. Waits nothing in the \
            trace ended (sleeps, timers, I/O) stay with the task that waited. Default: every root task.
            """
    )

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    @Option(help: ArgumentHelp("The id of the task to explain (default: every root task).", valueName: "id"))
    var task: String?

    @Flag(help: "Print JSON (docs/analysis.md).")
    var json = false

    func run() throws {
        let wanted = try task.map { text -> TraceTaskID in
            guard let id = TraceTaskID(text) else {
                throw ValidationError("--task '\(text)' is not a task id (a whole number)")
            }
            return id
        }
        let timeline = try loadTimeline(tracePath: trace, options: TimelineOptions(), showProgress: true)
        let paths: [CriticalPath]
        if let wanted {
            guard let index = timeline.tasks.firstIndex(where: { $0.id == wanted }) else {
                throw CleanExit.failure("\(trace): no task with id \(wanted)")
            }
            paths = timeline.criticalPath(ofTask: index).map { [$0] } ?? []
        } else {
            paths = timeline.criticalPaths()
        }
        if json {
            var out = ByteWriter.collecting()
            CriticalPathReport.json(paths, timeline: timeline).write(to: &out)
            out.write("\n")
            try writeStandardOutput(out.bytes)
            return
        }
        var lines = TraceOverview(timeline).lines
        if paths.isEmpty { lines.append("no task with recorded time to explain") }
        for path in paths {
            lines.append("")
            lines += CriticalPathReport.lines(path, in: timeline)
        }
        try printLines(lines)
    }
}
