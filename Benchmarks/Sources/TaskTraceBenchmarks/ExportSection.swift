import Foundation
import TaskTraceExport
import TaskTraceModel
import TaskTraceStore

/// Reading and exporting the 100k-task trace the spawn-heavy workload recorded: what `tasktrace export` and
/// `tasktrace stats` do, called in-process through the same library functions (no process start-up counted).
struct ExportSection {
    let tracePath: String
    let directory: String

    struct Figures {
        var tasks = 0
        var loadSeconds = 0.0
        var chromeEvents = 0
        var chromeBytes = 0
        var chromeWriteSeconds = 0.0
        var chromeWholeSeconds = 0.0
        var htmlSeconds = 0.0
        var htmlPath = ""
        var statsSeconds = 0.0
    }

    /// What `tasktrace export` / `stats` do before rendering: read the trace into a timeline.
    func loadTimeline() throws -> Timeline {
        let reader = try TraceReader(path: tracePath)
        var builder = TimelineBuilder(
            tasks: try reader.tasks(), threads: try reader.threads(), marks: try reader.marks(),
            untrackedJobs: try reader.untrackedJobs(), meta: try reader.meta(), options: TimelineOptions(),
            expectedTransitions: try reader.transitionCount()
        )
        try reader.forEachTransition { builder.add($0) }
        return builder.finish()
    }

    /// Only the Chrome write (as in `run`), `rounds` times on one loaded timeline; the median write time.
    func runChromeOnly(rounds: Int) throws -> Figures {
        var figures = Figures()
        let timeline = try loadTimeline()
        let findings = timeline.findings()
        var writes: [Double] = []
        for _ in 0..<rounds {
            var bytes = 0
            var writer = ByteWriter { chunk in bytes += chunk.count }
            writes.append(
                try Stopwatch.seconds {
                    try ChromeTraceExporter.write(timeline, to: &writer, findings: findings)
                    try writer.flush()
                })
            figures.chromeBytes = bytes
        }
        figures.chromeEvents = try Self.chromeEventCount(timeline, findings: findings)
        figures.tasks = timeline.tasks.count
        figures.chromeWriteSeconds = Statistics.median(writes)
        return figures
    }

    /// The events of the Chrome export, counted in a second, untimed export: one event per line, so "\n{" (an
    /// event's start).
    static func chromeEventCount(_ timeline: Timeline, findings: [Finding]) throws -> Int {
        var events = 0
        var previous: UInt8 = 0
        var counter = ByteWriter { chunk in
            for byte in chunk {
                if byte == UInt8(ascii: "{"), previous == UInt8(ascii: "\n") { events += 1 }
                previous = byte
            }
        }
        try ChromeTraceExporter.write(timeline, to: &counter, findings: findings)
        try counter.flush()
        return events
    }

    /// Chrome writes timed per round beyond the one inside the whole export.
    static let extraChromeWrites = 4

    func run(rounds: Int) throws -> Figures {
        var figures = Figures()
        var loads: [Double] = []
        var writes: [Double] = []
        var wholes: [Double] = []
        var htmls: [Double] = []
        var stats: [Double] = []
        for _ in 0..<rounds {
            // Chrome JSON, as `tasktrace export --format chrome`: load, lint findings, write (bytes discarded).
            var timeline: Timeline?
            var events = 0
            var bytes = 0
            var writeSeconds = 0.0
            defer { writes.append(writeSeconds) }
            let whole = try Stopwatch.seconds {
                let loaded = try loadTimeline()
                timeline = loaded
                let findings = loaded.findings()
                var writer = ByteWriter { chunk in bytes += chunk.count }
                writeSeconds = try Stopwatch.seconds {
                    try ChromeTraceExporter.write(loaded, to: &writer, findings: findings)
                    try writer.flush()
                }
            }
            if let timeline {
                // The write alone is ~0.1 s: timed four more times on the same timeline (the key is the median of
                // every write timed), so that one preempted write on a busy machine does not make the figure.
                let findings = timeline.findings()
                for _ in 0..<Self.extraChromeWrites {
                    var writer = ByteWriter { _ in }
                    writes.append(
                        try Stopwatch.seconds {
                            try ChromeTraceExporter.write(timeline, to: &writer, findings: findings)
                            try writer.flush()
                        })
                }
                events = try Self.chromeEventCount(timeline, findings: findings)
            }
            loads.append(try Stopwatch.seconds { _ = try loadTimeline() })
            wholes.append(whole)
            figures.tasks = timeline?.tasks.count ?? 0
            figures.chromeEvents = events
            figures.chromeBytes = bytes

            // HTML, as `tasktrace export --format html`, into a file the first-frame check opens.
            let htmlPath = directory + "/spawn-100k.html"
            htmls.append(
                try Stopwatch.seconds {
                    let loaded = try loadTimeline()
                    guard FileManager.default.createFile(atPath: htmlPath, contents: nil),
                        let output = FileHandle(forWritingAtPath: htmlPath)
                    else { throw CocoaError(.fileWriteUnknown) }
                    defer { try? output.close() }
                    var writer = ByteWriter { chunk in try output.write(contentsOf: chunk) }
                    try HTMLViewerExporter.write(loaded, to: &writer)
                    try writer.flush()
                }
            )
            figures.htmlPath = htmlPath

            // `tasktrace stats` (default: overview and the top 25 tasks by total time), text discarded.
            stats.append(
                try Stopwatch.seconds {
                    let loaded = try loadTimeline()
                    let statistics = loaded.taskStatistics()
                    let rows = Array(StatsReport.sorted(statistics, by: .total, in: loaded).prefix(25))
                    let lines = TraceOverview(loaded).lines + StatsReport.taskTable(rows, in: loaded)
                    if lines.isEmpty { throw CocoaError(.featureUnsupported) }
                }
            )
        }
        figures.loadSeconds = Statistics.median(loads)
        figures.chromeWriteSeconds = Statistics.median(writes)
        figures.chromeWholeSeconds = Statistics.median(wholes)
        figures.htmlSeconds = Statistics.median(htmls)
        figures.statsSeconds = Statistics.median(stats)
        return figures
    }
}
