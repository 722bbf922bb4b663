import TaskTraceModel

/// The SQL of trace format version 2, documented table by table in docs/schema.md, and what a reader needs of
/// version 1 files.
///
/// Version 2 stores one row per job in `job_log` (its enqueue, start and end, see `JobRow`) instead of one row per
/// transition: a third of the rows for the same trace, which is what the writer's time went into. The documented
/// interface is unchanged: the view `transitions` shows one row per transition with the state's name, and the view
/// `marks` shows `mark_log` plus the `inferred_outcome` marks that `job_log.end_inferred` stores as a flag.
/// No index is built: every reader streams `job_log` in its recorded order, which a task's transitions follow.
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
        CREATE TABLE job_log(
            seq INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL,
            created_ns INTEGER,
            scheduled_ns INTEGER,
            from_thread INTEGER,
            running_ns INTEGER,
            end_ns INTEGER,
            end_code INTEGER,
            thread_id INTEGER,
            end_thread INTEGER,
            end_inferred INTEGER
        );
        CREATE TABLE untracked_jobs(thread_id INTEGER NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL);
        CREATE TABLE mark_log(task_id INTEGER, ts_ns INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);
        CREATE VIEW transitions AS
            SELECT seq * 4 AS seq, task_id, created_ns AS ts_ns, 'created' AS state, from_thread AS thread_id
                FROM job_log WHERE created_ns IS NOT NULL
            UNION ALL SELECT seq * 4 + 1, task_id, scheduled_ns, 'scheduled', from_thread
                FROM job_log WHERE scheduled_ns IS NOT NULL
            UNION ALL SELECT seq * 4 + 2, task_id, running_ns, 'running', thread_id
                FROM job_log WHERE running_ns IS NOT NULL
            UNION ALL SELECT l.seq * 4 + 3, l.task_id, l.end_ns, s.name, l.end_thread
                FROM job_log AS l JOIN states AS s ON s.code = l.end_code WHERE l.end_ns IS NOT NULL;
        CREATE VIEW marks AS
            SELECT task_id, ts_ns, kind, detail FROM mark_log
            UNION ALL SELECT task_id, end_ns, '\(MarkKind.inferredOutcome)',
                CASE end_code WHEN \(TaskState.cancelled.rawValue) THEN '\(InferredOutcomeDetail.parentEndedCancelRequested)'
                    ELSE '\(InferredOutcomeDetail.parentEnded)' END
                FROM job_log WHERE end_inferred = 1 AND end_ns IS NOT NULL;
        """

    /// Rows of `states`, one per `TaskState`, so the view can name them.
    package static var insertStates: String {
        let values = TaskState.allCases.map { "(\($0.rawValue), '\($0.name)')" }.joined(separator: ", ")
        return "INSERT INTO states(code, name) VALUES \(values);"
    }

    /// Tables a version 2 file must have to be read as a trace, with the columns the reader uses (in order of
    /// checking).
    package static let requiredColumns: [(table: String, columns: [String])] = [
        ("meta", ["key", "value"]),
        ("tasks", ["id", "parent_id", "name", "kind", "file", "line", "error"]),
        (
            "job_log",
            [
                "seq", "task_id", "created_ns", "scheduled_ns", "from_thread", "running_ns", "end_ns", "end_code",
                "thread_id", "end_thread", "end_inferred",
            ]
        ),
        ("threads", ["id", "name", "kind"]),
        ("mark_log", ["task_id", "ts_ns", "kind", "detail"]),
        ("untracked_jobs", ["thread_id", "start_ns", "end_ns"]),
    ]

    /// The same for version 1 files (one row per transition in `transition_log`, marks in a `marks` table).
    package static let requiredColumnsVersion1: [(table: String, columns: [String])] = [
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
