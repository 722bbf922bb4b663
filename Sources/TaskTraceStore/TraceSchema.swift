import TaskTraceModel

/// The SQL of trace format version 3, documented table by table in docs/schema.md, and what a reader needs of
/// version 1 and 2 files.
///
/// Version 2 stored one row per job in `job_log` (its enqueue, start and end, see `JobRow`) instead of one row per
/// transition. Version 3 keeps those rows but stores up to 1,024 of them in one `job_batches` row as JSON text (see
/// `JobBatchEncoding`), and likewise `untracked_jobs` in `untracked_batches`: SQLite's cost per row, not per byte,
/// was most of the writer's time. The views `job_log` and `untracked_jobs` unpack them with SQLite's built-in
/// `json_each` into exactly version 2's columns, so every query of version 2 runs unchanged; the view `transitions`
/// shows one row per transition with the state's name, and the view `marks` shows `mark_log` plus the
/// `inferred_outcome` marks that `job_log.end_inferred` stores as a flag. No index is built: every reader streams
/// `job_log` in its recorded order (`seq`), which a task's transitions follow.
package enum TraceSchema {
    private typealias E = JobBatchEncoding.Element

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
        CREATE TABLE job_batches(seq INTEGER PRIMARY KEY, base_ns INTEGER NOT NULL, jobs TEXT NOT NULL);
        CREATE VIEW job_log AS
            SELECT (b.seq - 1) * \(JobBatchEncoding.seqStride) + j.key + 1 AS seq,
                json_extract(j.value, '$[\(E.taskID)]') AS task_id,
                b.base_ns + (json_extract(j.value, '$[\(E.created)]')) AS created_ns,
                b.base_ns + (json_extract(j.value, '$[\(E.scheduled)]')) AS scheduled_ns,
                json_extract(j.value, '$[\(E.fromThread)]') AS from_thread,
                b.base_ns + (json_extract(j.value, '$[\(E.running)]')) AS running_ns,
                b.base_ns + (json_extract(j.value, '$[\(E.end)]')) AS end_ns,
                json_extract(j.value, '$[\(E.endCode)]') AS end_code,
                json_extract(j.value, '$[\(E.threadID)]') AS thread_id,
                json_extract(j.value, '$[\(E.endThread)]') AS end_thread,
                json_extract(j.value, '$[\(E.endInferred)]') AS end_inferred
            FROM job_batches AS b, json_each(b.jobs) AS j;
        CREATE TABLE untracked_batches(seq INTEGER PRIMARY KEY, base_ns INTEGER NOT NULL, jobs TEXT NOT NULL);
        CREATE VIEW untracked_jobs AS
            SELECT (b.seq - 1) * \(JobBatchEncoding.seqStride) + j.key + 1 AS seq,
                json_extract(j.value, '$[0]') AS thread_id,
                b.base_ns + (json_extract(j.value, '$[1]')) AS start_ns,
                b.base_ns + (json_extract(j.value, '$[2]')) AS end_ns
            FROM untracked_batches AS b, json_each(b.jobs) AS j;
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

    /// SQL that lets one connection change a version 3 file through its views for the two edits tests make —
    /// `UPDATE job_log SET … WHERE …` (any column but `seq`), `INSERT INTO job_log(…)` and `INSERT INTO
    /// untracked_jobs(thread_id, start_ns, end_ns)` — with TEMP `INSTEAD OF` triggers that rewrite the JSON in the
    /// batches (an insert adds a batch of one), gone when the connection closes. No `DELETE`, and no `UPDATE` of
    /// `untracked_jobs`. Not part of the file; for tests that damage traces on purpose and for hand repairs.
    package static let editThroughViews = """
        CREATE TEMP TRIGGER job_log_update INSTEAD OF UPDATE ON main.job_log BEGIN
            UPDATE job_batches SET jobs = json_replace(jobs, '$[' || ((OLD.seq - 1) % \(JobBatchEncoding.seqStride)) || ']',
                \(jobArray(base: "base_ns")))
            WHERE seq = (OLD.seq - 1) / \(JobBatchEncoding.seqStride) + 1;
        END;
        CREATE TEMP TRIGGER job_log_insert INSTEAD OF INSERT ON main.job_log BEGIN
            INSERT INTO job_batches(base_ns, jobs) VALUES (0, json_array(\(jobArray(base: "0"))));
        END;
        CREATE TEMP TRIGGER untracked_jobs_insert INSTEAD OF INSERT ON main.untracked_jobs BEGIN
            INSERT INTO untracked_batches(base_ns, jobs)
                VALUES (0, json_array(json_array(NEW.thread_id, NEW.start_ns, NEW.end_ns)));
        END;
        """

    /// A `json_array` of the trigger's `NEW` row in `JobBatchEncoding.Element` order, times less `base`.
    private static func jobArray(base: String) -> String {
        var elements = Array(repeating: "", count: E.count)
        elements[E.taskID] = "NEW.task_id"
        elements[E.scheduled] = "NEW.scheduled_ns - \(base)"
        elements[E.fromThread] = "NEW.from_thread"
        elements[E.running] = "NEW.running_ns - \(base)"
        elements[E.threadID] = "NEW.thread_id"
        elements[E.end] = "NEW.end_ns - \(base)"
        elements[E.endCode] = "NEW.end_code"
        elements[E.endThread] = "NEW.end_thread"
        elements[E.created] = "NEW.created_ns - \(base)"
        elements[E.endInferred] = "NEW.end_inferred"
        return "json_array(" + elements.joined(separator: ", ") + ")"
    }

    /// Rows of `states`, one per `TaskState`, so the view can name them.
    package static var insertStates: String {
        let values = TaskState.allCases.map { "(\($0.rawValue), '\($0.name)')" }.joined(separator: ", ")
        return "INSERT INTO states(code, name) VALUES \(values);"
    }

    /// Tables (or views) a version 3 file must have to be read as a trace, with the columns the reader and the
    /// checker use (in order of checking).
    package static let requiredColumns: [(table: String, columns: [String])] = [
        ("meta", ["key", "value"]),
        ("job_batches", ["seq", "base_ns", "jobs"]),
        ("untracked_batches", ["seq", "base_ns", "jobs"]),
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
        ("untracked_jobs", ["seq", "thread_id", "start_ns", "end_ns"]),
    ]

    /// The same for version 2 files: `job_log` is a table of one row per job, with no `job_batches`.
    package static let requiredColumnsVersion2: [(table: String, columns: [String])] = requiredColumns.compactMap {
        table, columns -> (table: String, columns: [String])? in
        switch table {
        case "job_batches", "untracked_batches": return nil
        case "untracked_jobs": return (table, columns.filter { $0 != "seq" })
        default: return (table, columns)
        }
    }

    /// The columns a file of `version` must have.
    package static func requiredColumns(version: Int) -> [(table: String, columns: [String])] {
        version >= 3 ? requiredColumns : version == 2 ? requiredColumnsVersion2 : requiredColumnsVersion1
    }

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
