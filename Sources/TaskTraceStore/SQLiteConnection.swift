internal import CSQLite

/// A connection to one SQLite database file, with a small cache of prepared statements.
///
/// Not thread-safe: one connection belongs to one thread at a time (the recorder's writer thread, or a reader).
/// That owner is what protects it, hence `@unchecked Sendable`, so it may be handed between threads.
package final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// False after `close()`; nothing may use the connection then.
    private var isOpen = true
    private var statementCache: [String: SQLiteStatement] = [:]
    /// Multi-row statements of `prepareRows`, kept under their parts rather than their (long) SQL.
    private var rowStatementCache: [RowStatementKey: SQLiteStatement] = [:]
    package let path: String
    /// How long a statement waits for another connection's lock before reporting SQLITE_BUSY.
    package static let busyTimeoutMilliseconds: Int32 = 5_000

    /// How to open the file.
    package enum Mode: Sendable {
        /// Read only; the file must exist. Never writes to it.
        case readOnly
        /// Read and write; creates the file when missing.
        case readWriteCreate
    }

    /// Opens `path`.
    /// - Throws: `SQLiteError` when SQLite cannot open it.
    package init(path: String, mode: Mode) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags: Int32 =
            switch mode {
            case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            case .readWriteCreate: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // A reader and the recorder may touch one file at once (users inspect live traces): wait for a lock
        // rather than failing at once with SQLITE_BUSY.
        sqlite3_busy_timeout(db, Self.busyTimeoutMilliseconds)
    }

    deinit { close() }

    /// Finalizes the cached statements and closes the database now, rather than when the last reference goes
    /// (a writer must close SQLite before it releases its own lock on the file). Calling it twice does nothing.
    package func close() {
        guard isOpen else { return }
        isOpen = false
        statementCache.removeAll()
        rowStatementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    package func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql, systemErrno: lastSystemErrno)
        }
    }

    /// Returns a prepared statement for `sql`, reset and with bindings cleared, from the cache when possible.
    /// The cached statement is shared: a caller still stepping through it must use `prepareUncached` for the same SQL.
    package func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let wrapped = try prepareUncached(sql)
        statementCache[sql] = wrapped
        return wrapped
    }

    /// A multi-row statement — `head`, then `rows` value lists of `columns` parameters each, then `tail` — reset and
    /// with bindings cleared, prepared once per connection. Why not `prepare`: its cache is keyed by the whole SQL,
    /// and building and hashing the ~3 KB text of a 128-row INSERT for every write was ~1–2 % of the trace writer's
    /// samples on the realistic workload (perf, 2026-12-07). Shared like `prepare`'s statements.
    package func prepareRows(head: String, columns: Int, rows: Int, tail: String = "") throws(SQLiteError)
        -> SQLiteStatement
    {
        let key = RowStatementKey(head: head, tail: tail, columns: columns, rows: rows)
        if let cached = rowStatementCache[key] {
            cached.reset()
            return cached
        }
        let values = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let statement = try prepareUncached(head + Array(repeating: values, count: rows).joined(separator: ", ") + tail)
        rowStatementCache[key] = statement
        return statement
    }

    private struct RowStatementKey: Hashable {
        let head: String
        let tail: String
        let columns: Int
        let rows: Int
    }

    /// A statement of its own for `sql`, not cached (finalized when released): for a query run while the cached
    /// statement of the same SQL is still being stepped (a reader's callback that queries the reader again).
    package func prepareUncached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: lastErrorMessage, sql: sql, systemErrno: lastSystemErrno)
        }
        return SQLiteStatement(handle: statement, connection: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            // Stepped, not `execute`d: `sqlite3_exec` finalizes before returning, which loses the OS error number
            // of a failed commit (the reason a full disk or a size limit gives).
            try prepare("COMMIT").run()
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Reads a single integer, e.g. `PRAGMA user_version`; nil when the query returns no row or NULL.
    package func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// The main database as file bytes (`sqlite3_serialize`), or nil when SQLite cannot serialize it.
    package func serializedMainDatabase() -> [UInt8]? {
        var size: sqlite3_int64 = 0
        guard let pointer = sqlite3_serialize(handle, "main", &size, 0), size > 0 else { return nil }
        defer { sqlite3_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(size)))
    }

    /// SQLite's message for the most recent failure on this connection.
    package var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The operating system's error number behind the most recent I/O failure on this connection (0 when none),
    /// e.g. `EFBIG` when a write hit the file size limit.
    package var lastSystemErrno: Int32 { sqlite3_system_errno(handle) }

    /// The extended result code of the most recent failure on this connection.
    package var lastErrorCode: Int32 { sqlite3_extended_errcode(handle) }
}
