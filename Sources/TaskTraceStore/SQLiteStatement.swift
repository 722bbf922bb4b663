internal import CSQLite

/// A prepared statement owned by an `SQLiteConnection` and cached by it.
///
/// Bind with 1-based indices, step, read columns with 0-based indices. Not thread-safe: it belongs to its
/// connection's thread; `@unchecked Sendable` because that owner protects it.
package final class SQLiteStatement: @unchecked Sendable {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    package let sql: String

    init(handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement to run again and clears its bindings.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    package func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    package func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        // With the byte count, not -1: text holding a NUL character is stored whole, not cut at the NUL.
        var utf8 = value
        utf8.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { text in
                guard let base = text.baseAddress else {
                    return sqlite3_bind_text(handle, index, "", 0, tasktrace_sqlite_transient())
                }
                return sqlite3_bind_text64(
                    handle, index, base, UInt64(text.count), tasktrace_sqlite_transient(), UInt8(SQLITE_UTF8)
                )
            }
        }
    }

    /// Binds text that lives for the whole process, which SQLite then reads in place instead of copying it into an
    /// allocation of its own (the copy cost ~700 instructions per bind: a `tasks` row's kind, 100k times).
    package func bind(_ index: Int32, _ text: PermanentText) {
        sqlite3_bind_text64(handle, index, text.pointer, UInt64(text.count), tasktrace_sqlite_static(), UInt8(SQLITE_UTF8))
    }

    /// Runs the statement once with `bytes` bound as text at `index` without SQLite's copy of them (SQLite reads
    /// them only while the statement runs), then binds NULL there, so the statement never keeps the pointer past
    /// this call. For the writer's batch rows: a copy of each ~16 KB text was a share of the writer's `memmove`.
    package func run(bindingTextInPlace bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws(SQLiteError) {
        defer { sqlite3_bind_null(handle, index) }
        bytes.withMemoryRebound(to: CChar.self) { text in
            guard let base = text.baseAddress else {
                _ = sqlite3_bind_text(handle, index, "", 0, tasktrace_sqlite_static())
                return
            }
            _ = sqlite3_bind_text64(handle, index, base, UInt64(text.count), tasktrace_sqlite_static(), UInt8(SQLITE_UTF8))
        }
        try run()
    }

    /// Advances to the next row: true when a row is available, false when done.
    /// - Throws: `SQLiteError` for anything but `SQLITE_ROW` / `SQLITE_DONE`.
    package func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw SQLiteError(code: rc, message: connection.lastErrorMessage, sql: sql, systemErrno: connection.lastSystemErrno)
        }
    }

    /// Steps a statement that returns no rows, then resets it for reuse.
    package func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        _ = try step()
    }

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    package func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// Calls `body` with the bytes of a text column (valid only inside `body`), without making a `String`.
    package func withText<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = sqlite3_column_text(handle, column)  // before the count: SQLite's documented order
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: start, count: count))
    }

    package func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        // All the bytes, NULs included; invalid UTF-8 (from another tool) becomes U+FFFD rather than a failure.
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}

/// UTF-8 text allocated once and never freed: for the few fixed strings bound on every row (see
/// `SQLiteStatement.bind(_:_:PermanentText)`). Make one per distinct string, as a `static let`.
/// Sendable: the bytes are written once, before the value exists anywhere else, and never change or go away.
package struct PermanentText: @unchecked Sendable {
    package let pointer: UnsafePointer<CChar>
    package let count: Int

    package init(_ string: String) {
        let bytes = Array(string.utf8)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (offset, byte) in bytes.enumerated() { storage[offset] = CChar(bitPattern: byte) }
        pointer = UnsafePointer(storage)
        count = bytes.count
    }
}
