import ArgumentParser
import Foundation
import TaskTraceExport

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with the recorder preloaded (`libTaskTracePreload.so`, built beside `tasktrace`) and reports
/// what was recorded: the wiring behind `tasktrace record -- PROGRAM`.
///
/// The recorder is configured through environment variables it reads and removes at load
/// (`TASKTRACE_PRELOAD_OUTPUT`, `…_WORKERS`, `…_COMMAND`, `…_ASYNC_MAIN`, `…_ORIGINAL_LD_PRELOAD`).
/// While the program runs, this process ignores SIGINT (the terminal sends it to the program too, whose recorder then
/// finishes the trace) and passes SIGTERM and SIGHUP on to it.
struct ProgramRecording {
    let program: ProgramInspector.Program
    let arguments: [String]
    let paths: DemoOutputPaths
    let workers: Int

    /// What one run produced.
    struct Run {
        /// The program's exit status, or 128 + N when signal N ended it.
        var exitCode: Int32
        var duration: Duration
    }

    /// Where the preload library is: `$TASKTRACE_PRELOAD_LIBRARY`, or beside the running `tasktrace`.
    static func preloadLibrary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["TASKTRACE_PRELOAD_LIBRARY"], !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CleanExit.failure("TASKTRACE_PRELOAD_LIBRARY: no such file: \(path)")
            }
            return path
        }
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let library = binary.deletingLastPathComponent().appendingPathComponent("libTaskTracePreload.so").path
        guard FileManager.default.fileExists(atPath: library) else {
            throw CleanExit.failure(
                "cannot find libTaskTracePreload.so beside tasktrace (\(library)); build it with "
                    + "`swift build --product TaskTracePreload` and keep it next to the tasktrace binary"
            )
        }
        return library
    }

    /// Runs the program to its end.
    /// - Throws: `ExitCode` after one line on stderr when it cannot be started or left no trace.
    func run() throws -> Run {
        let executable = program.path
        let library = try Self.preloadLibrary()
        // A stale trace must not pass for this run's: the recorder creates the file anew.
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(paths.trace + suffix) }

        var environment = ProcessInfo.processInfo.environment
        let original = environment["LD_PRELOAD"] ?? ""
        environment["LD_PRELOAD"] = original.isEmpty ? library : "\(library):\(original)"
        environment["TASKTRACE_PRELOAD_ORIGINAL_LD_PRELOAD"] = original
        environment["TASKTRACE_PRELOAD_OUTPUT"] = paths.trace
        environment["TASKTRACE_PRELOAD_WORKERS"] = String(workers)
        environment["TASKTRACE_PRELOAD_COMMAND"] = ([executable] + arguments).joined(separator: " ")
        environment["TASKTRACE_PRELOAD_ASYNC_MAIN"] = program.hasAsyncMain ? "1" : "0"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let started = ContinuousClock.now
        do {
            try process.run()
        } catch {
            throw CleanExit.failure("\(executable): cannot start it: \(error.localizedDescription)")
        }
        // After the spawn: an ignored signal would stay ignored in the child.
        signal(SIGINT, SIG_IGN)
        let forwarders = [SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { kill(process.processIdentifier, number) }
            source.resume()
            return source
        }
        process.waitUntilExit()
        forwarders.forEach { $0.cancel() }
        signal(SIGINT, SIG_DFL)

        let status = process.terminationStatus
        let code = process.terminationReason == .uncaughtSignal ? 128 + status : status
        guard FileManager.default.fileExists(atPath: paths.trace) else {
            CleanExit.printError(
                "\(executable): exited with code \(code) and left no trace (the recorder did not start: "
                    + "see any message above; a set-user-ID program ignores the preloaded recorder)"
            )
            throw ExitCode(code == 0 ? 1 : code)
        }
        return Run(exitCode: code, duration: ContinuousClock.now - started)
    }
}

extension ProgramRecording.Run {
    /// Writes the HTML beside the trace and prints the summary `record demo` prints.
    func report(paths: DemoOutputPaths, programName: String, workers: Int) throws {
        try RecordingReport.finish(
            paths: paths,
            headline: "recorded \(programName) (exit code \(exitCode)) with \(workers) worker\(workers == 1 ? "" : "s")",
            recording: duration
        )
    }
}
