import Foundation
import TaskTraceStore

/// Runs the `sqlite3` command-line shell on a file, as a user (or another tool damaging a trace) would.
enum SQLiteShell {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `sql` (passed on standard input, so several statements work) on `path`.
    /// - Parameter readOnly: open with `-readonly`; pass false to change the file (a version 3 file's `job_log` and
    ///   `untracked_jobs` views then take `UPDATE`/`INSERT` as version 2's tables did: `TraceSchema.editThroughViews`).
    @discardableResult
    static func run(_ path: String, _ sql: String, readOnly: Bool = true) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = (readOnly ? ["-readonly"] : []) + ["-bail", path]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let editing = readOnly ? "" : Self.editingTriggers(path)
        input.fileHandleForWriting.write(Data((editing + sql).utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self)
        )
    }
}

extension SQLiteShell {
    /// The editing triggers for the views `path` has (`TraceSchema.editThroughViews(version:)`).
    static func editingTriggers(_ path: String) -> String {
        let version = (try? runSQLite(path, "PRAGMA user_version")).flatMap { Int($0) } ?? 0
        return TraceSchema.editThroughViews(version: version) + "\n"
    }
}

/// The trimmed output of a read-only query.
func runSQLite(_ path: String, _ sql: String) throws -> String {
    try SQLiteShell.run(path, sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
