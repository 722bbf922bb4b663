import TaskTraceModel

/// The SQL of trace format version 1, documented table by table in docs/schema.md.
///
/// Transitions are stored compactly in `transition_log` (state as a small integer); the view `transitions`
/// presents them with the state's name, which is the documented interface. Indexes are built once, when a
/// recording ends, because an index maintained during inserts halves ingest speed.
package enum TraceSchema {
    package static let createTables = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE states(code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE tasks(
            id INTEGER PRIMARY KEY,
            parent_id INTEGER NULL,
            name TEXT,
            kind TEXT NOT NULL DEFAULT 'unknown',
            file TEXT,
            line INTEGER,
            error TEXT
        );
        CREATE TABLE threads(id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
        CREATE TABLE transition_log(
            seq INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL,
            ts_ns INTEGER NOT NULL,
            state_code INTEGER NOT NULL,
            thread_id INTEGER
        );
        CREATE TABLE untracked_jobs(thread_id INTEGER NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL);
        CREATE TABLE marks(task_id INTEGER, ts_ns INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);
        CREATE VIEW transitions AS
            SELECT l.seq AS seq, l.task_id AS task_id, l.ts_ns AS ts_ns, s.name AS state, l.thread_id AS thread_id
            FROM transition_log AS l JOIN states AS s ON s.code = l.state_code;
        """

    /// Rows of `states`, one per `TaskState`, so the view can name them.
    package static var insertStates: String {
        let values = TaskState.allCases.map { "(\($0.rawValue), '\($0.name)')" }.joined(separator: ", ")
        return "INSERT INTO states(code, name) VALUES \(values);"
    }

    /// Built when a recording ends; `IF NOT EXISTS` so a reader of a crashed trace is unaffected.
    ///
    /// Only the index a reader uses: every export reads transitions `ORDER BY ts_ns, seq`, which this index serves
    /// without a sort. Indexes on `tasks(parent_id)` and `marks(task_id)` were built too until no reader queried by
    /// them: they cost a fifth of `finish` on a 100k-task trace (docs/performance.md).
    package static let createIndexes = """
        CREATE INDEX IF NOT EXISTS transition_log_by_time ON transition_log(ts_ns);
        """

    /// Tables a file must have to be read as a trace, with the columns the reader uses (in order of checking).
    package static let requiredColumns: [(table: String, columns: [String])] = [
        ("meta", ["key", "value"]),
        ("tasks", ["id", "parent_id", "name", "kind", "file", "line", "error"]),
        ("transition_log", ["seq", "task_id", "ts_ns", "state_code", "thread_id"]),
        ("threads", ["id", "name", "kind"]),
        ("marks", ["task_id", "ts_ns", "kind", "detail"]),
        ("untracked_jobs", ["thread_id", "start_ns", "end_ns"]),
    ]

    /// `TraceFormat.maxTimestamp` as SQLite stores it.
    package static let maxTimestamp = Int64(TraceFormat.maxTimestamp)
}
