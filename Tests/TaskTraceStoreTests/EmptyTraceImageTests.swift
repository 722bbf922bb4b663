import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// A new trace is written from a prebuilt image of the empty schema (`EmptyTraceImage`); it must be the file that
/// creating the schema statement by statement makes.
@Suite("Empty trace image")
struct EmptyTraceImageTests {
    /// What a reader can tell about an empty trace: schema entries, `states`, `meta`, `user_version`, page size.
    static func facts(of path: String) throws -> [String] {
        let connection = try SQLiteConnection(path: path, mode: .readOnly)
        defer { connection.close() }
        var lines: [String] = []
        func rows(_ sql: String, columns: Int32) throws {
            let statement = try connection.prepare(sql)
            while try statement.step() {
                lines.append((0..<columns).map { statement.string($0) ?? "NULL" }.joined(separator: " | "))
            }
        }
        try rows("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name", columns: 4)
        try rows("SELECT code, name FROM states ORDER BY code", columns: 2)
        try rows("SELECT key, value FROM meta ORDER BY key", columns: 2)
        try rows("PRAGMA user_version", columns: 1)
        try rows("PRAGMA page_size", columns: 1)
        try rows("PRAGMA integrity_check", columns: 1)
        return lines
    }

    @Test("a new trace (from the image) has exactly the schema, rows and settings the statements create")
    func imageMatchesStatements() throws {
        #expect(EmptyTraceImage.bytes != nil, "this SQLite can serialize: every new trace should use the image")
        let directory = try TemporaryDirectory()
        let fromWriter = directory.path("writer.sqlite")
        let writer = try TraceWriter(path: fromWriter)
        try writer.finish()

        let byStatements = directory.path("statements.sqlite")
        let connection = try SQLiteConnection(path: byStatements, mode: .readWriteCreate)
        try connection.execute("PRAGMA page_size=\(EmptyTraceImage.pageSize)")
        try EmptyTraceImage.create(on: connection)
        connection.close()

        let expected = try Self.facts(of: byStatements)
        #expect(expected.contains { $0.hasPrefix("view | job_log") })
        #expect(expected.contains("16384"))
        #expect(try Self.facts(of: fromWriter) == expected)
    }

    @Test("a trace made from the image takes rows and reads back")
    func imageTraceIsWritable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("trace.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(
                transitions: [
                    TransitionRecord(taskID: 7, timestamp: 10, state: .created),
                    TransitionRecord(taskID: 7, timestamp: 20, state: .scheduled),
                    TransitionRecord(taskID: 7, timestamp: 30, state: .running, threadID: 1),
                    TransitionRecord(taskID: 7, timestamp: 40, state: .done, threadID: 1),
                ],
                tasks: [TaskRecord(id: 7, name: "seven")]
            ))
        try writer.finish(meta: ["ended_unix_ns": "1"])
        let reader = try TraceReader(path: path)
        var states: [TaskState] = []
        try reader.forEachTransition { states.append($0.state) }
        #expect(states == [.created, .scheduled, .running, .done])
        #expect(try reader.tasks().map(\.name) == ["seven"])
        #expect(try reader.meta()["ended_unix_ns"] == "1")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "finished traces are one file")
    }
}
