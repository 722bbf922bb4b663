import TaskTraceModel

/// The SQL of trace format version 4, documented table by table in docs/schema.md, and what a reader needs of
/// version 1, 2 and 3 files.
///
/// Version 2 stored one row per job in `job_log` (its enqueue, start and end, see `JobRow`) instead of one row per
/// transition. Version 3 keeps those rows but stores up to 1,024 of them in one `job_batches` row as JSON text (see
/// `JobBatchEncoding`), and likewise `untracked_jobs` in `untracked_batches`: SQLite's cost per row, not per byte,
/// was most of the writer's time. The views `job_log` and `untracked_jobs` unpack them with SQLite's built-in
/// `json_each` into exactly version 2's columns, so every query of version 2 runs unchanged; the view `transitions`
/// shows one row per transition with the state's name, and the view `marks` shows `mark_log` plus the
/// `inferred_outcome` marks that `job_log.end_inferred` stores as a flag. No index is built: every reader streams
/// `job_log` in its recorded order (`seq`), which a task's transitions follow. Version 4 does the same for tasks:
/// each task's first record is an element of a `task_batches` row (`TaskBatchEncoding`), records learnt later
/// (a name, an error) are upserted into `task_updates`, and the view `tasks` lays those over the first ones — exactly
/// version 3's `tasks` table.
package enum TraceSchema {
    private typealias E = JobBatchEncoding.Element
    private typealias T = TaskBatchEncoding.Element

    package static let createTables = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE states(code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE task_batches(seq INTEGER PRIMARY KEY, tasks TEXT NOT NULL);
        CREATE TABLE task_updates(
            id INTEGER PRIMARY KEY,
            parent_id INTEGER NULL,
            name TEXT,
            kind TEXT NOT NULL DEFAULT 'unknown',
            file TEXT,
            line INTEGER,
            error TEXT
        );
        CREATE VIEW tasks AS
            WITH merged AS MATERIALIZED (SELECT f.id AS id,
                coalesce(u.parent_id, f.parent_id) AS parent_id,
                coalesce(u.name, f.name) AS name,
                CASE WHEN u.kind IS NULL OR u.kind = 'unknown' THEN f.kind ELSE u.kind END AS kind,
                coalesce(u.file, f.file) AS file,
                coalesce(u.line, f.line) AS line,
                coalesce(u.error, f.error) AS error
            FROM (
                SELECT j.value ->> \(T.id) AS id, j.value ->> \(T.parentID) AS parent_id,
                    j.value ->> \(T.name) AS name, coalesce(j.value ->> \(T.kind), 'unknown') AS kind,
                    j.value ->> \(T.file) AS file, j.value ->> \(T.line) AS line, j.value ->> \(T.error) AS error
                FROM task_batches AS b, json_each(b.tasks) AS j
            ) AS f
            LEFT JOIN task_updates AS u ON u.id = f.id)
            SELECT id, parent_id, name, kind, file, line, error FROM merged;
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

    /// SQL that lets one connection change a version 3 or 4 file through its job views for the edits tests make —
    /// `UPDATE job_log SET … WHERE …` (any column but `seq`), `INSERT INTO job_log(…)` and `INSERT INTO
    /// untracked_jobs(thread_id, start_ns, end_ns)` — with TEMP `INSTEAD OF` triggers that rewrite the JSON in the
    /// batches (an insert adds a batch of one), gone when the connection closes. No `DELETE`, and no `UPDATE` of
    /// `untracked_jobs`. Not part of the file; for tests that damage traces on purpose and for hand repairs.
    package static let editJobsThroughViews = """
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

    /// The same for a version 4 file, with its `tasks` view too: `UPDATE tasks SET … WHERE …` (any column but `id`)
    /// lays the row's new values over the task in `task_updates`, so it can set a value but not clear one (the view
    /// keeps a batch's value where the update is NULL); `INSERT INTO tasks(…)` adds a batch of one task.
    package static let editThroughViews = editJobsThroughViews + """
        CREATE TEMP TRIGGER tasks_update INSTEAD OF UPDATE ON main.tasks BEGIN
            INSERT INTO task_updates(id, parent_id, name, kind, file, line, error)
                VALUES (OLD.id, NEW.parent_id, NEW.name, coalesce(NEW.kind, 'unknown'), NEW.file, NEW.line, NEW.error)
                ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
                    kind = excluded.kind, file = excluded.file, line = excluded.line, error = excluded.error;
        END;
        CREATE TEMP TRIGGER tasks_insert INSTEAD OF INSERT ON main.tasks BEGIN
            INSERT INTO task_batches(tasks) VALUES (json_array(json_array(NEW.id, NEW.parent_id,
                nullif(coalesce(NEW.kind, 'unknown'), 'unknown'), NEW.name, NEW.file, NEW.line, NEW.error)));
        END;
        """

    /// The editing triggers that fit a file of `version` (none before version 3, which has tables, not views).
    package static func editThroughViews(version: Int) -> String {
        version >= 4 ? editThroughViews : version == 3 ? editJobsThroughViews : ""
    }

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

    /// Tables (or views) a version 4 file must have to be read as a trace, with the columns the reader and the
    /// checker use (in order of checking).
    package static let requiredColumns: [(table: String, columns: [String])] = [
        ("meta", ["key", "value"]),
        ("job_batches", ["seq", "base_ns", "jobs"]),
        ("untracked_batches", ["seq", "base_ns", "jobs"]),
        ("task_batches", ["seq", "tasks"]),
        ("task_updates", ["id", "parent_id", "name", "kind", "file", "line", "error"]),
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

    /// The same for version 3 files: `tasks` is a table, with no `task_batches` or `task_updates`.
    package static let requiredColumnsVersion3: [(table: String, columns: [String])] = requiredColumns.filter {
        $0.table != "task_batches" && $0.table != "task_updates"
    }

    /// The same for version 2 files: `job_log` is a table of one row per job, with no `job_batches`.
    package static let requiredColumnsVersion2: [(table: String, columns: [String])] = requiredColumnsVersion3.compactMap {
        table, columns -> (table: String, columns: [String])? in
        switch table {
        case "job_batches", "untracked_batches": return nil
        case "untracked_jobs": return (table, columns.filter { $0 != "seq" })
        default: return (table, columns)
        }
    }

    /// The columns a file of `version` must have.
    package static func requiredColumns(version: Int) -> [(table: String, columns: [String])] {
        switch version {
        case 4...: requiredColumns
        case 3: requiredColumnsVersion3
        case 2: requiredColumnsVersion2
        default: requiredColumnsVersion1
        }
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
