import ArgumentParser
import TaskTraceExport
import TaskTraceModel

/// `tasktrace export TRACE [--format chrome|svg|html] [--output PATH|-] [--from T] [--to T] [--filter TEXT]
/// [--all-flows] [--worker-lanes] [--state-colors]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trace as Chrome trace JSON (Perfetto), an SVG Gantt chart, or an HTML page.",
        discussion: """
            The format is taken from --format, else from the output's extension (.json, .json.gz, .svg, .html); \
            a .gz output is the Chrome JSON gzipped.
            Times for --from/--to are since the trace started: 1.5ms, 200us, 2s, or plain nanoseconds.
            Chrome JSON draws no spawn arrows for a parent with more than 64 children (its first slice says so); \
            --all-flows draws them all. --worker-lanes adds one track per worker thread, --state-colors the \
            palette's colours for chrome://tracing (both off by default: each costs about a third of the file).
            """
    )

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    @Option(name: .shortAndLong, help: "chrome, svg or html (default: from the output's extension).")
    var format: String?

    @Option(name: .shortAndLong, help: "Where to write; - for standard output (default: TRACE with the format's extension).")
    var output: String?

    @Option(help: "Keep time from here (e.g. 1.5ms, 200us, 2s; plain = ns).")
    var from: String?

    @Option(help: "Keep time up to here.")
    var to: String?

    @Option(help: "Keep tasks whose name contains TEXT (case-insensitive), with their ancestors.")
    var filter: String?

    @Flag(help: "Chrome JSON: draw every spawn arrow, also for parents with more than 64 children.")
    var allFlows = false

    @Flag(help: "Chrome JSON: add a track per worker thread showing which task it ran when (process \"Threads\").")
    var workerLanes = false

    @Flag(help: "Chrome JSON: colour slices by state in chrome://tracing, as in the SVG and HTML (adds a cname).")
    var stateColors = false

    func run() throws {
        let chosen = try resolveFormat()
        let chromeFlags = [("--all-flows", allFlows), ("--worker-lanes", workerLanes), ("--state-colors", stateColors)]
        for (flag, isSet) in chromeFlags where isSet && chosen != .chrome {
            throw CleanExit.failure("\(flag) applies to --format chrome only")
        }
        let destination = output ?? defaultOutput(for: chosen)
        var options = TimelineOptions(nameFilter: filter)
        options.from = try parseTime(from, flag: "--from")
        options.to = try parseTime(to, flag: "--to")
        if let start = options.from, let end = options.to, start > end {
            throw CleanExit.failure("--from (\(from ?? "")) is after --to (\(to ?? ""))")
        }
        try exportTrace(
            tracePath: trace, format: chosen, outputPath: destination, options: options,
            chromeOptions: ChromeExportOptions(
                flowFanOutLimit: allFlows ? nil : ChromeExportOptions.defaultFlowFanOutLimit, workerLanes: workerLanes,
                stateColors: stateColors))
        if destination != "-" { print("wrote \(destination) (\(chosen.rawValue))") }
    }

    private func resolveFormat() throws -> ExportFormat {
        if let format {
            guard let parsed = ExportFormat(rawValue: format.lowercased()) else {
                throw CleanExit.failure("unknown format '\(format)'; use chrome, svg or html")
            }
            return parsed
        }
        guard let output else { return .html }
        if output == "-" {
            throw CleanExit.failure("--format is required when writing to standard output")
        }
        guard let inferred = ExportFormat(inferringFrom: output) else {
            throw CleanExit.failure("cannot tell the format from '\(output)'; add --format chrome, svg or html")
        }
        return inferred
    }

    private func defaultOutput(for format: ExportFormat) -> String {
        let base = trace.hasSuffix(".sqlite") ? String(trace.dropLast(".sqlite".count)) : trace
        return "\(base).\(format.fileExtension)"
    }

    private func parseTime(_ text: String?, flag: String) throws -> TraceNanos? {
        guard let text else { return nil }
        guard let nanos = TraceTimeText.parseNanos(text) else {
            throw CleanExit.failure("\(flag) '\(text)' is not a time; use e.g. 1.5ms, 200us, 2s or nanoseconds")
        }
        return nanos
    }
}
