import ArgumentParser
import Foundation
import TaskTraceStore

/// `tasktrace check TRACE [--json]`: validates a trace (`TraceChecker`) and prints each problem with the task it
/// concerns. Exit 0 when the trace is valid (warnings allowed), 1 when it is not or cannot be read.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a trace file: schema, state machine, timestamps, parents, marks, integrity counters.",
        discussion: """
            Prints one line per problem (errors, then a summary). Exit status 0 when the trace is valid \
            (warnings such as dropped events or an unfinished recording allowed), 1 when it is not. \
            --json prints the report as one JSON object (format in docs/schema.md).
            """
    )

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    @Flag(help: "Print the report as JSON on standard output.")
    var json = false

    func run() throws {
        let report = TraceChecker.check(path: trace)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(report)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            if let unreadable = report.problems.first(where: { $0.code == "unreadable" }) {
                // Same one line (stderr, exit 1) as every other command gives a file it cannot read.
                throw CleanExit.failure(unreadable.message)
            }
            for problem in report.problems {
                print("\(problem.severity.rawValue): \(TerminalText.oneLine(problem.message))")
            }
            for (code, count) in report.omitted.sorted(by: { $0.key < $1.key }) {
                print("… and \(count) more \(code)")
            }
            print(Self.summary(report))
        }
        if !report.isValid { throw ExitCode(1) }
    }

    /// The last line: the verdict with totals.
    static func summary(_ report: TraceCheckReport) -> String {
        let counts = report.counts
        let size = "\(counts.tasks) tasks, \(counts.transitions) transitions, \(counts.unfinishedTasks) unfinished"
        let warnings = "\(report.warningCount) warning\(report.warningCount == 1 ? "" : "s")"
        let path = TerminalText.oneLine(report.path)
        if report.isValid { return "\(path): valid (\(size); \(warnings))" }
        return "\(path): NOT valid: \(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(warnings) (\(size))"
    }
}
