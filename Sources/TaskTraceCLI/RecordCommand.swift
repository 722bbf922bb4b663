import ArgumentParser

/// `tasktrace record …`: record a trace. Wiring only; the recording is done by the runtime library.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a trace.",
        subcommands: [RecordDemoCommand.self]
    )
}
