import ArgumentParser
import Foundation

/// `tasktrace record …`: record a trace — of the built-in demo (`record demo`), or of an unmodified Swift program
/// (`record -- PROGRAM [ARGS…]`). Wiring only; the recording is done by the runtime library.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a trace of an unmodified Swift program (record -- PROGRAM [ARGS…]) or of the demo.",
        subcommands: [RecordProgramCommand.self, RecordDemoCommand.self],
        defaultSubcommand: RecordProgramCommand.self
    )
}

/// `tasktrace record [OPTIONS] -- PROGRAM [ARGS…]` (the default of `record`): traces an unmodified program.
struct RecordProgramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program",
        abstract: "Record every task of an unmodified, dynamically linked Swift program.",
        usage: "tasktrace record [--output <output>] [--workers <workers>] [--no-html] -- <program> [<arguments> ...]",
        discussion: """
            `record -- PROGRAM` runs PROGRAM (a dynamically linked Swift program: what `swift build` makes) with a \
            recorder preloaded into it, which serves as the process's global executor and records every task: \
            Task {}, Task.detached {}, library code's tasks, main-actor jobs. The trace is finished when the program \
            exits (normally, by exit(), or by SIGINT/SIGTERM/SIGHUP); the HTML timeline is written beside it, and \
            record exits with the program's exit code (128 + N for a program ended by signal N).
            """
    )

    @Option(name: [.short, .long], help: "The trace file to write (replaced if it exists). Default: PROGRAM.sqlite.")
    var output: String?

    @Option(help: "Worker threads serving as the program's global executor. Default: one per CPU core.")
    var workers: Int?

    @Flag(name: .customLong("no-html"), help: "Do not write the HTML timeline.")
    var noHTML = false

    @Argument(parsing: .postTerminator, help: "The program to trace and its arguments, after `--`.")
    var program: [String] = []

    func run() async throws {
        guard let name = program.first else {
            throw ValidationError("record needs a program after `--` (tasktrace record -- PROGRAM [ARGS…]) or `demo`")
        }
        let workerCount = workers ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...RecordDemoCommand.maxWorkers).contains(workerCount) else {
            throw CleanExit.failure(
                "--workers must be between 1 and \(RecordDemoCommand.maxWorkers), got \(workerCount)"
            )
        }
        let executable: ProgramInspector.Program
        switch ProgramInspector.resolve(name) {
        case .success(let program): executable = program
        case .failure(let problem): throw CleanExit.failure(problem.message)
        }
        let stem = URL(fileURLWithPath: name).lastPathComponent
        let paths = try DemoOutputPaths(output: output ?? "\(stem).sqlite", writesHTML: !noHTML)
        let run = try ProgramRecording(
            program: executable, arguments: Array(program.dropFirst()), paths: paths, workers: workerCount
        ).run()
        try run.report(paths: paths, programName: name, workers: workerCount)
        if run.exitCode != 0 { throw ExitCode(run.exitCode) }
    }
}
