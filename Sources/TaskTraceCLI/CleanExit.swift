import ArgumentParser
import Foundation

/// A user-facing failure: prints `tasktrace: <message>` on stderr and exits non-zero, with no stack or usage text.
enum CleanExit {
    static func failure(_ message: String, code: Int32 = 1) -> ExitCode {
        printError(message)
        return ExitCode(code)
    }

    /// Writes one line to stderr, prefixed with the command's name; control characters in `message` (from a
    /// trace or a flag's value) are escaped, so it stays one line.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("tasktrace: \(TerminalText.oneLine(message))\n".utf8))
    }
}
