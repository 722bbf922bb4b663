import ArgumentParser
import TaskTraceModel
import TaskTraceStore

/// The `tasktrace` command: wiring only; every subcommand calls into the libraries.
@main
struct TaskTraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasktrace",
        abstract: "Record and show what Swift async tasks did over time.",
        discussion: """
            A trace is one SQLite file (schema in docs/schema.md). Record one with `tasktrace record demo`, \
            then open the HTML beside it or export it with `tasktrace export`.
            """,
        version: TraceFormat.toolVersion,
        subcommands: [
            InfoCommand.self, CheckCommand.self, ExportCommand.self, StatsCommand.self, LintCommand.self,
            CriticalPathCommand.self, SampleTraceCommand.self, BenchExportCommand.self, RecordCommand.self,
        ]
    )

    /// Parses and runs like ArgumentParser's own `main`, except that a bad flag is reported as one line
    /// (`tasktrace: Unknown option '--x' (see 'tasktrace help')`) instead of a message plus usage text.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as TraceStoreError {
            // A trace that fails after it was opened (a damaged row met while reading): one line, exit 1.
            CleanExit.printError(error.description)
            exit(withError: ExitCode.failure)
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
                CleanExit.printError("\(message) (see 'tasktrace help')")
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
    }
}
