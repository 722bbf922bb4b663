import TaskTraceModel

/// The bytes of a new, empty trace file (tables, views, `states`, `user_version` and the constant `meta` rows),
/// built once per process and written into each new trace with one `write`.
///
/// Why: creating the schema statement by statement costs SQLite ~0.1–0.2 ms per `CREATE` (it re-reads the schema
/// after each) — 1.3–2.4 ms per recording here, most of what a recording costs before its body starts. Copying the
/// image costs one write of a few pages. A file made from the image is the file the statements make; a test
/// compares the two (`EmptyTraceImageTests`).
///
/// Thread-safe: built once (`static let`), then only read.
package enum EmptyTraceImage {
    /// Page size of every new trace: large pages make fewer, larger writes of the batch rows.
    package static let pageSize = 16_384

    /// The image, or nil if SQLite cannot serialize (built without `sqlite3_serialize`): writers then create the
    /// schema statement by statement.
    package static let bytes: [UInt8]? = build()

    /// Creates the empty trace in memory and serializes it.
    package static func build() -> [UInt8]? {
        guard let connection = try? SQLiteConnection(path: ":memory:", mode: .readWriteCreate) else { return nil }
        defer { connection.close() }
        do {
            try connection.execute("PRAGMA page_size=\(pageSize)")
            try create(on: connection)
        } catch {
            return nil
        }
        return connection.serializedMainDatabase()
    }

    /// The schema and first rows of a new trace, in one transaction (also the path when no image can be had).
    package static func create(on connection: SQLiteConnection) throws {
        try connection.transaction {
            try connection.execute(TraceSchema.createTables)
            try connection.execute(TraceSchema.insertStates)
            try connection.execute("PRAGMA user_version=\(TraceFormat.version)")
            try TraceWriter.upsertMeta(firstMeta, on: connection)
        }
    }

    /// The `meta` rows every trace starts with, whatever the recording.
    static let firstMeta: [String: String] = [
        MetaKey.formatVersion: String(TraceFormat.version),
        MetaKey.tasktraceVersion: TraceFormat.toolVersion,
        MetaKey.droppedEvents: "0",
    ]
}
