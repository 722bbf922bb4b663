import Foundation
import TaskTraceStore

/// Reads a trace with plain SQL through its own short-lived connection, as another tool would (never through
/// the reader or checker under test). Works on a live trace while its recorder writes (WAL).
enum LiveTrace {
    /// The first column of each row of `sql` as text, or nil when the file cannot be opened or queried yet.
    static func column(_ path: String, _ sql: String) -> [String]? {
        guard FileManager.default.fileExists(atPath: path),
            let connection = try? SQLiteConnection(path: path, mode: .readOnly),
            let statement = try? connection.prepare(sql)
        else { return nil }
        var rows: [String] = []
        do {
            while try statement.step() { rows.append(statement.string(0) ?? "NULL") }
        } catch {
            return nil
        }
        statement.reset()
        return rows
    }

    /// A single value (first column of the first row).
    static func value(_ path: String, _ sql: String) -> String? { column(path, sql)?.first }

    static func int(_ path: String, _ sql: String) -> Int64? { value(path, sql).flatMap { Int64($0) } }
}
