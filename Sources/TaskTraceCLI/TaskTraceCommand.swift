import ArgumentParser
import TaskTraceModel

/// The `tasktrace` command: wiring only; every subcommand calls into the libraries.
@main
struct TaskTraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasktrace",
        abstract: "Record and show what Swift async tasks did over time.",
        discussion: """
            A trace is one SQLite file (schema in docs/schema.md). Record one with `tasktrace record demo`,
            then open the HTML beside it or export it with `tasktrace export`.
            """,
        version: TraceFormat.toolVersion,
        subcommands: [
            InfoCommand.self, ExportCommand.self, SampleTraceCommand.self, BenchExportCommand.self, RecordCommand.self,
        ]
    )
}
