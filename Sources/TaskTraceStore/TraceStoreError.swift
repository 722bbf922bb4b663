/// Why a trace file could not be opened, read or written; each case's description is one clear line for users.
///
/// Thread-safe (a value type).
public enum TraceStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case fileNotFound(path: String)
    case notSQLite(path: String)
    /// A folder was given where a trace file was expected.
    case isDirectory(path: String)
    case corrupt(path: String, detail: String)
    case notATrace(path: String, missing: String)
    case missingColumn(path: String, table: String, column: String)
    case readOnlyLocation(path: String, detail: String)
    case newerFormat(path: String, found: Int, supported: Int)
    case cannotCreate(path: String, detail: String)
    /// Another recording is writing this path right now.
    case inUse(path: String)
    /// Writing failed mid-recording (disk full, file size limit, I/O error): nothing more is written; what was
    /// committed before stays readable.
    case writeFailed(path: String, detail: String)
    /// The trace file was deleted, moved or replaced while it was being recorded.
    case vanished(path: String)
    case sqlite(SQLiteError)

    /// One line, always: SQLite's own messages (quick_check's report) can span several.
    public var description: String {
        oneLine(multiLineDescription)
    }

    private func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }.joined(separator: "; ")
    }

    private var multiLineDescription: String {
        switch self {
        case .fileNotFound(let path):
            "\(path): no such file"
        case .isDirectory(let path):
            "\(path): is a directory, not a trace file"
        case .notSQLite(let path):
            "\(path): not a tasktrace file (not an SQLite database)"
        case .corrupt(let path, let detail):
            "\(path): the trace file is corrupt or truncated (\(detail))"
        case .notATrace(let path, let missing):
            "\(path): not a tasktrace file (an SQLite database without the \(missing) table)"
        case .missingColumn(let path, let table, let column):
            "\(path): not a tasktrace file of a known version (its \(table) table has no \(column) column)"
        case .readOnlyLocation(let path, let detail):
            "\(path): \(detail)"
        case .newerFormat(let path, let found, let supported):
            "\(path): trace format version \(found) is newer than this tasktrace supports (\(supported)); upgrade tasktrace"
        case .cannotCreate(let path, let detail):
            "\(path): cannot write the trace file (\(detail))"
        case .inUse(let path):
            "\(path): another recording is writing this trace file right now; choose another output path"
        case .writeFailed(let path, let detail):
            "\(path): cannot write the trace file any more (\(detail)); the recording stopped writing, "
                + "what was written before is kept"
        case .vanished(let path):
            "\(path): the trace file was deleted or moved during the recording; the recording stopped writing"
        case .sqlite(let error):
            error.description
        }
    }
}
