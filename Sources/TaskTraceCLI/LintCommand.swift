import ArgumentParser
import Foundation
import TaskTraceExport
import TaskTraceModel

/// `tasktrace lint TRACE [--json] [--fail-on info|warning|error] [--blocking-threshold MS] …`: the lints of
/// `Timeline.findings`, for people and for CI. Wiring only: `FindingsReport` formats.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find what went wrong: blocking jobs, lost errors, unfinished, starved or orphaned tasks, and more.",
        discussion: """
            Each finding names the task, when, where it was spawned, why it matters and a fix. Rules: \
            \(FindingRule.allCases.map(\.rawValue).joined(separator: ", ")) (docs/analysis.md). \
            Thresholds take milliseconds (plain numbers) or a unit: 50ms, 0.2s, 500us. \
            Exit status: 0, or 2 with --fail-on when a finding at or above that severity exists; 1 for a bad trace, \
            64 for bad flags.
            """
    )

    /// Exit status when findings at or above `--fail-on` exist: distinct from 1 (bad trace) and 64 (bad flags).
    static let findingsExitCode: Int32 = 2

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    @Flag(help: "Print JSON (docs/analysis.md).")
    var json = false

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
            "Exit 2 when a finding at or above this severity exists: info, warning or error.", valueName: "level"))
    var failOn: String?

    @Option(
        name: .customLong("blocking-threshold"),
        help: ArgumentHelp("A job at least this long is blocking (default 100 ms).", valueName: "time"))
    var blockingThreshold: String?

    @Option(
        name: .customLong("starvation-threshold"),
        help: ArgumentHelp("A queue wait at least this long is starvation (default 100 ms).", valueName: "time"))
    var starvationThreshold: String?

    @Option(
        name: .customLong("cancellation-threshold"),
        help: ArgumentHelp(
            "Running or queued at least this long after a cancel request ignores it (default 100 ms).",
            valueName: "time"))
    var cancellationThreshold: String?

    @Flag(help: "List every finding (by default at most 10 per rule are printed; --json always lists all).")
    var all = false

    func run() throws {
        let level = try failOn.map { text -> FindingSeverity in
            guard let level = FindingSeverity(name: text.lowercased()) else {
                throw ValidationError("--fail-on '\(text)' is not a severity; use info, warning or error")
            }
            return level
        }
        var options = LintOptions()
        options.blockingThreshold =
            try Threshold.parse(blockingThreshold, flag: "--blocking-threshold") ?? options.blockingThreshold
        options.starvationThreshold =
            try Threshold.parse(starvationThreshold, flag: "--starvation-threshold") ?? options.starvationThreshold
        options.cancellationThreshold =
            try Threshold.parse(cancellationThreshold, flag: "--cancellation-threshold")
            ?? options.cancellationThreshold

        let timeline = try loadTimeline(tracePath: trace, options: TimelineOptions(), showProgress: true)
        let findings = timeline.findings(options: options)
        if json {
            var out = ByteWriter.collecting()
            FindingsReport.json(findings, timeline: timeline, options: options).write(to: &out)
            out.write("\n")
            try writeStandardOutput(out.bytes)
        } else {
            try printLines(FindingsReport.text(findings, timeline: timeline, options: options, perRule: all ? nil : 10))
        }
        if let level, findings.contains(where: { $0.severity >= level }) {
            throw ExitCode(Self.findingsExitCode)
        }
    }
}

/// Parses a lint threshold: a plain number is milliseconds (`150`, `2.5`), otherwise a time with a unit.
enum Threshold {
    static func parse(_ text: String?, flag: String) throws -> TraceNanos? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let isPlainNumber = !trimmed.isEmpty && trimmed.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        let nanos = TraceTimeText.parseNanos(isPlainNumber ? trimmed + "ms" : trimmed)
        guard let nanos, nanos > 0 else {
            throw ValidationError(
                "\(flag) '\(text)' is not a positive time; use milliseconds (150) or a unit (50ms, 0.2s)")
        }
        return nanos
    }
}
