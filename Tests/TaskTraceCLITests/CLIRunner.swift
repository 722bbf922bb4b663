import Foundation

/// Runs the built `tasktrace` binary as a user would and captures what it prints.
///
/// The binary is found beside the test bundle (SwiftPM puts both in the same build folder), or at
/// `$TASKTRACE_BIN` when set.
enum CLIRunner {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binaryURL: URL {
        if let override = ProcessInfo.processInfo.environment["TASKTRACE_BIN"] {
            return URL(fileURLWithPath: override)
        }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the runner may be inside `<name>.xctest`; walk up until `tasktrace` is found.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("tasktrace")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("tasktrace")
    }

    /// Runs `tasktrace ARGS…` in `directory` (or the current one) and waits for it.
    ///
    /// The wait happens on a thread of its own, not on the test's: Swift Testing runs tests on the cooperative
    /// pool (two threads on this machine), and a test blocked in `waitUntilExit` for seconds held one of them, which
    /// starved the recordings of the library suites running beside it (`EndOfRecordingTests` timed out).
    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(arguments, in: directory) })
            }
            thread.start()
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL?) throws -> Output {
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes at once (stderr on a thread of its own): read one after the other, a child that filled the
        // stderr pipe (64 KiB) before closing stdout would wait for us while we wait for it.
        let errData = ErrorPipeReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self)
        )
    }

    /// Reads a pipe to its end on a thread of its own. Thread-safe: `data` is written once before `done` signals.
    private final class ErrorPipeReader: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }.start()
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }
}
