/// An error reported by SQLite, with the context needed to understand it.
///
/// `code` is SQLite's primary result code (`SQLITE_CORRUPT` is 11, `SQLITE_NOTADB` 26), `message` SQLite's own
/// text, `sql` the statement that failed when there was one. Thread-safe (a value type).
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?
    /// The operating system's error number behind an I/O failure (`EFBIG`, `ENOSPC`), 0 when none or unknown.
    /// Captured when the error happens: a later statement (the rollback) may overwrite SQLite's copy.
    public var systemErrno: Int32

    public init(code: Int32, message: String, sql: String? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    /// SQLite's primary result code, without the extended bits.
    public var primaryCode: Int32 { code & 0xFF }

    public var description: String {
        if let sql {
            return "SQLite error \(code): \(message) (in: \(sql))"
        }
        return "SQLite error \(code): \(message)"
    }
}
