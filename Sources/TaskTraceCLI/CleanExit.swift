import ArgumentParser
import Foundation

/// A user-facing failure: prints `tasktrace: <message>` on stderr and exits non-zero, with no stack or usage text.
enum CleanExit {
    static func failure(_ message: String, code: Int32 = 1) -> ExitCode {
        printError(message)
        return ExitCode(code)
    }

    /// Writes one line to stderr, prefixed with the command's name.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("tasktrace: \(message)\n".utf8))
    }
}
