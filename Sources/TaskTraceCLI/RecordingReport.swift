import Foundation
import TaskTraceExport

/// What both `record demo` and `record -- PROGRAM` do after recording: write the HTML beside the trace, then print
/// one summary — what was recorded and how long it took, the files, the trace's counts, its integrity, and its lint
/// findings. One place, so the two commands can never print different summaries.
enum RecordingReport {
    /// Above this many tasks `record` does not lint the trace itself (it would load the whole timeline in memory on
    /// top of the recording); it says how to run the lint instead.
    static let lintSummaryTaskLimit = 200_000

    /// Writes the HTML (when `paths.html` is set) and prints the summary. `headline` reads like
    /// `recorded 14 scenarios with 1 worker`; the durations are appended.
    static func finish(paths: DemoOutputPaths, headline: String, recording: Duration) throws {
        let exported = ContinuousClock.now
        if let html = paths.html {
            // Prints its own one-line error and throws ExitCode on failure.
            try exportTrace(tracePath: paths.trace, format: .html, outputPath: html)
        }
        let exportTime = ContinuousClock.now - exported
        let summary: TraceSummary
        do {
            summary = try TraceSummary(path: paths.trace)
        } catch {
            throw CleanExit.failure("\(error)")
        }
        print(
            "\(headline) in \(format(recording))"
                + (paths.html == nil ? "" : " (+ \(format(exportTime)) for the HTML)")
        )
        print("trace: \(paths.trace)")
        print("html:  \(paths.html ?? "not written (--no-html)")")
        for line in summary.lines { print(line) }
        if summary.taskCount <= lintSummaryTaskLimit {
            try printFindings(tracePath: paths.trace)
        } else {
            print("lint: not run for \(summary.taskCount) tasks; run: tasktrace lint \(TerminalText.oneLine(paths.trace))")
        }
    }

    /// Counts the trace's lint findings and names the most severe one, pointing at `tasktrace lint` for the rest.
    private static func printFindings(tracePath: String) throws {
        let timeline = try loadTimeline(tracePath: tracePath, options: TimelineOptions(), showProgress: false)
        let findings = timeline.findings()
        var lines = ["lint: \(FindingsReport.summary(findings))"]
        if let top = findings.first, let head = FindingsReport.lines(top).first {
            lines.append("top finding: \(head)")
            lines.append("see them all: tasktrace lint \(tracePath)")
        }
        // `print`, like the lines before it, so the order on a pipe is kept; names are made terminal-safe.
        for line in lines { print(TerminalText.oneLine(line)) }
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return String(format: "%.2f s", seconds)
    }
}
