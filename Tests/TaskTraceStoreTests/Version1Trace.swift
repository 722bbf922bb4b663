import Foundation

/// A trace file in format version 1 (one `transition_log` row per transition, marks in a `marks` table), built
/// with SQL exactly as tasktrace 0.1 wrote it, so the readers' and the checker's version 1 paths are tested on
/// files of that shape (the committed `samples/*.sqlite` are version 1 traces too).
enum Version1Trace {
    /// The version 1 schema, as `TraceSchema` created it before version 2.
    static let schema = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE states(code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE tasks(id INTEGER PRIMARY KEY, parent_id INTEGER NULL, name TEXT,
            kind TEXT NOT NULL DEFAULT 'unknown', file TEXT, line INTEGER, error TEXT);
        CREATE TABLE threads(id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
        CREATE TABLE transition_log(seq INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL,
            state_code INTEGER NOT NULL, thread_id INTEGER);
        CREATE TABLE untracked_jobs(thread_id INTEGER NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL);
        CREATE TABLE marks(task_id INTEGER, ts_ns INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);
        CREATE VIEW transitions AS
            SELECT l.seq AS seq, l.task_id AS task_id, l.ts_ns AS ts_ns, s.name AS state, l.thread_id AS thread_id
            FROM transition_log AS l JOIN states AS s ON s.code = l.state_code;
        INSERT INTO states(code, name) VALUES (0, 'created'), (1, 'scheduled'), (2, 'running'), (3, 'suspended'),
            (4, 'done'), (5, 'cancelled'), (6, 'errored');
        PRAGMA user_version = 1;
        """

    /// The checker tests' legal trace (`TraceCheckerTests.legalTrace`) as a version 1 file: task 1 (root, done)
    /// and task 2 (its child, left running) on thread 1; `seq` numbers the transitions 1…10 in this order.
    static func legal(at path: String) throws {
        let rows = """
            INSERT INTO meta VALUES ('format_version', '1'), ('tasktrace_version', '0.1.0'), ('dropped_events', '0'),
                ('ended_unix_ns', '1000'), ('duration_ns', '70');
            INSERT INTO tasks(id, parent_id, name, kind) VALUES (1, NULL, 'root', 'root'), (2, 1, 'child', 'spawned');
            INSERT INTO threads VALUES (1, 'tasktrace-worker-0', 'worker');
            INSERT INTO transition_log(task_id, ts_ns, state_code, thread_id) VALUES
                (1, 0, 0, NULL), (1, 10, 1, NULL), (1, 20, 2, 1), (2, 25, 0, NULL), (2, 26, 1, NULL),
                (1, 30, 3, NULL), (2, 31, 2, 1), (1, 40, 1, NULL), (1, 50, 2, 1), (1, 60, 4, NULL);
            INSERT INTO marks VALUES (2, 33, 'annotation', 'hi');
            INSERT INTO untracked_jobs VALUES (1, 35, 38);
            CREATE INDEX transition_log_by_time ON transition_log(ts_ns);
            """
        let result = try SQLiteShell.run(path, schema + rows, readOnly: false)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": result.stderr]) }
    }
}
