import ArgumentParser
import TaskTraceModel
import TaskTraceStore

/// `tasktrace info TRACE`: checks a trace file and prints its metadata and counts.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Check a trace file and print its metadata and counts."
    )

    @Argument(help: "The trace file (.sqlite).")
    var trace: String

    func run() throws {
        let reader = try openTrace(trace)
        let meta = try reader.meta()
        for key in meta.keys.sorted() {
            print("\(TerminalText.oneLine(key)): \(TerminalText.oneLine(meta[key] ?? ""))")
        }
        // Counted by SQLite, not loaded: a trace of millions of tasks needs no memory for this.
        print("tasks: \(try reader.rowCount(of: .tasks))")
        print("threads: \(try reader.rowCount(of: .threads))")
        print("transitions: \(try reader.rowCount(of: .transitions))")
        print("marks: \(try reader.rowCount(of: .marks))")
    }
}

/// Opens a trace for reading, turning a refusal into one clear line and exit code 1.
func openTrace(_ path: String) throws -> TraceReader {
    do {
        return try TraceReader(path: path)
    } catch {
        throw CleanExit.failure(error.description)
    }
}
