import ArgumentParser
import TaskTraceExport
import TaskTraceStore

/// `tasktrace sample-trace PATH` (hidden): writes the deterministic synthetic trace of `SampleTrace`, used by
/// tests, `samples/` and scripts/regenerate-samples.sh until the real demo exists.
struct SampleTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-trace",
        abstract: "Write a small synthetic trace (for tests and samples).",
        shouldDisplay: false
    )

    @Argument(help: "Where to write the trace (.sqlite); replaced if it exists.")
    var path: String

    func run() throws {
        let sample = SampleTrace()
        do {
            let writer = try TraceWriter(path: path)
            try writer.setMeta(sample.meta)
            try writer.write(
                TraceBatch(
                    transitions: sample.transitions, tasks: sample.tasks, threads: sample.threads,
                    marks: sample.marks, untrackedJobs: sample.untrackedJobs
                )
            )
            try writer.finish()
        } catch {
            throw CleanExit.failure(error.description)
        }
    }
}
