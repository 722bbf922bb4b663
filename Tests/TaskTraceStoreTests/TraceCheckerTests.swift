import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// `TraceChecker` on traces built row by row: a legal trace passes, and each planted defect is reported with
/// its code and the task it concerns (expected values come from the rows the test wrote, not from the checker).
@Suite("Trace checker")
struct TraceCheckerTests {
    /// Two tasks: 1 (root, done) and 2 (child of 1, left running), on thread 1, finished recording.
    static func legalTrace(in directory: borrowing TemporaryDirectory, finished: Bool = true) throws -> String {
        let path = directory.path("t-\(UUID().uuidString).sqlite")
        // Unfinished: no row is held back (as after a kill once the hold time has passed).
        let writer = try TraceWriter(path: path, holdNanos: finished ? TraceWriter.defaultHoldNanos : 0)
        try writer.write(
            TraceBatch(
                transitions: [
                    TransitionRecord(taskID: 1, timestamp: 0, state: .created),
                    TransitionRecord(taskID: 1, timestamp: 10, state: .scheduled),
                    TransitionRecord(taskID: 1, timestamp: 20, state: .running, threadID: 1),
                    TransitionRecord(taskID: 2, timestamp: 25, state: .created),
                    TransitionRecord(taskID: 2, timestamp: 26, state: .scheduled),
                    TransitionRecord(taskID: 1, timestamp: 30, state: .suspended),
                    TransitionRecord(taskID: 2, timestamp: 31, state: .running, threadID: 1),
                    TransitionRecord(taskID: 1, timestamp: 40, state: .scheduled),
                    TransitionRecord(taskID: 1, timestamp: 50, state: .running, threadID: 1),
                    TransitionRecord(taskID: 1, timestamp: 60, state: .done),
                ],
                tasks: [TaskRecord(id: 1, name: "root", kind: .root), TaskRecord(id: 2, parentID: 1, name: "child", kind: .spawned)],
                threads: [ThreadRecord(id: 1, name: "tasktrace-worker-0", kind: .worker)],
                marks: [MarkRecord(taskID: 2, timestamp: 33, kind: MarkKind.annotation, detail: "hi")],
                untrackedJobs: [UntrackedJobRecord(threadID: 1, start: 35, end: 38)]
            )
        )
        if finished {
            try writer.finish(meta: [MetaKey.endedUnixNs: "1000", MetaKey.durationNs: "70"])
        }
        return path
    }

    /// The legal trace's `job_log`, as the writer packs it: row 1 is task 1's first job (created 0, scheduled 10,
    /// running 20, suspended 30), row 2 its second (scheduled 40, running 50, done 60), row 3 task 2's job
    /// (created 25, scheduled 26, running 31, no end), held until `finish` (so in a batch of its own: `seq` is not
    /// dense, `jobRow(3)` finds it).
    static func jobRow(_ number: Int) -> String {
        "(SELECT seq FROM job_log ORDER BY seq LIMIT 1 OFFSET \(number - 1))"
    }

    static func damaged(_ sql: String, in directory: borrowing TemporaryDirectory) throws -> TraceCheckReport {
        let path = try legalTrace(in: directory)
        let result = try SQLiteShell.run(path, sql, readOnly: false)
        #expect(result.status == 0, "\(result.stderr)")
        return TraceChecker.check(path: path)
    }

    @Test func legalTracePasses() throws {
        let directory = try TemporaryDirectory()
        let report = TraceChecker.check(path: try Self.legalTrace(in: directory))
        #expect(report.isValid)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.counts.tasks == 2 && report.counts.transitions == 10 && report.counts.unfinishedTasks == 1)
        #expect(report.counts.marks == 1 && report.counts.untrackedJobs == 1 && report.counts.threads == 1)
        #expect(report.formatVersion == TraceFormat.version)
    }

    @Test("each defect: its code, its task, and the trace is invalid", arguments: [
        // Task 1's first job ends done, so its second job follows a terminal state.
        ("UPDATE job_log SET end_code = 4 WHERE seq = \(Self.jobRow(1))", "illegal_transition", TraceTaskID(1)),
        ("UPDATE job_log SET created_ns = NULL WHERE seq = \(Self.jobRow(3))", "first_state_not_created", 2),
        ("UPDATE job_log SET end_ns = 5 WHERE seq = \(Self.jobRow(2))", "time_goes_backwards", 1),
        ("UPDATE job_log SET end_ns = 4611686018427387905 WHERE seq = \(Self.jobRow(2))", "timestamp_out_of_range", 1),
        ("UPDATE job_log SET created_ns = -3 WHERE seq = \(Self.jobRow(1))", "timestamp_out_of_range", 1),
        ("UPDATE job_log SET end_ns = 40, end_code = 9 WHERE seq = \(Self.jobRow(3))", "bad_state_code", 2),
        ("UPDATE job_log SET thread_id = 7 WHERE seq = \(Self.jobRow(3))", "unknown_thread", 2),
        ("INSERT INTO job_log(task_id, created_ns) VALUES (5, 80)", "unknown_task", 5),
        ("UPDATE job_log SET end_code = NULL WHERE seq = \(Self.jobRow(2))", "bad_job_row", 1),
        ("UPDATE job_log SET end_code = 2 WHERE seq = \(Self.jobRow(2))", "bad_job_row", 1),
        ("UPDATE tasks SET parent_id = 9 WHERE id = 2", "missing_parent", 2),
        ("UPDATE tasks SET parent_id = 2 WHERE id = 1", "parent_cycle", 1),
        ("UPDATE tasks SET parent_id = 2 WHERE id = 2", "parent_cycle", 2),
        ("INSERT INTO mark_log VALUES (8, 40, 'annotation', 'x')", "mark_unknown_task", 8),
        ("INSERT INTO mark_log VALUES (1, -1, 'annotation', 'x')", "timestamp_out_of_range", 1),
    ])
    func defectIsReported(sql: String, code: String, task: TraceTaskID) throws {
        let directory = try TemporaryDirectory()
        let report = try Self.damaged(sql, in: directory)
        #expect(!report.isValid)
        let found = report.problems.filter { $0.code == code }
        #expect(found.count == 1, "\(report.problems)")
        #expect(found.first?.taskID == task)
        #expect(found.first?.severity == .error)
        #expect(found.first.map { $0.message.hasPrefix("task \(task): ") } == true, "\(found)")
    }

    @Test("untracked jobs: unknown thread, end before start", arguments: [
        ("INSERT INTO untracked_jobs(thread_id, start_ns, end_ns) VALUES (4, 1, 2)", "untracked_unknown_thread"),
        ("INSERT INTO untracked_jobs(thread_id, start_ns, end_ns) VALUES (1, 9, 2)", "untracked_ends_before_start"),
        ("UPDATE meta SET value = '1' WHERE key = 'format_version'", "format_version_mismatch"),
        ("UPDATE states SET name = 'runnin' WHERE code = 2", "states_table"),
        ("INSERT OR REPLACE INTO meta VALUES ('dropped_events', 'many')", "bad_counter"),
    ])
    func traceWideDefects(sql: String, code: String) throws {
        let directory = try TemporaryDirectory()
        let report = try Self.damaged(sql, in: directory)
        #expect(!report.isValid)
        #expect(report.problems.map(\.code) == [code], "\(report.problems)")
    }

    @Test("a long cycle is one problem at its smallest task, found in linear time")
    func longCycle() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("cycle.sqlite")
        let writer = try TraceWriter(path: path)
        let count: TraceTaskID = 20_000
        try writer.write(
            TraceBatch(
                transitions: (1...count).map { TransitionRecord(taskID: $0, timestamp: $0, state: .created) },
                tasks: (1...count).map { TaskRecord(id: $0, parentID: $0 == 1 ? count : $0 - 1) }
            )
        )
        try writer.finish(meta: [MetaKey.endedUnixNs: "1"])
        let report = TraceChecker.check(path: path)
        #expect(report.problems.map(\.code) == ["parent_cycle"])
        #expect(report.problems.first?.taskID == 1)
        #expect(report.problems.first?.message.contains("cycle of 20000 tasks") == true)
    }

    @Test("integrity counters and an unfinished recording are warnings: still valid")
    func warnings() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.legalTrace(in: directory, finished: false)
        try SQLiteShell.run(
            path,
            "INSERT OR REPLACE INTO meta VALUES ('dropped_events', '12'), ('skipped_events', '3'), ('reordered_events', '0'),"
                + " ('reconstructed_transitions', '4'), ('late_events', '5')",
            readOnly: false
        )
        let report = TraceChecker.check(path: path)
        #expect(report.isValid)
        #expect(report.errorCount == 0 && report.warningCount == 5)
        #expect(
            Set(report.problems.map(\.code))
                == ["dropped_events", "skipped_events", "reconstructed_transitions", "late_events", "not_finished"]
        )
        #expect(report.problems.first { $0.code == "dropped_events" }?.message.hasPrefix("dropped_events = 12") == true)
    }

    @Test("many defects of one code: the first 50 listed, the rest counted")
    func problemsAreCapped() throws {
        let directory = try TemporaryDirectory()
        let report = try Self.damaged(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
                + "INSERT INTO job_log(task_id, scheduled_ns) SELECT 1000 + i, 5 FROM n",
            in: directory
        )
        // Each of the 300 new tasks: unknown task and first state not created.
        #expect(report.errorCount == 600)
        #expect(report.problems.count == 2 * TraceCheckReport.keptPerCode)
        #expect(report.omitted == ["unknown_task": 250, "first_state_not_created": 250])
    }

    @Test("a file that is not a trace is one unreadable error")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        let report = TraceChecker.check(path: directory.url.path)
        #expect(!report.isValid)
        #expect(report.problems.map(\.code) == ["unreadable"])
        #expect(report.problems.first?.message.contains("is a directory") == true)
    }
}

/// The same checks on format version 1 files (one row per transition), which the checker still reads.
@Suite("Trace checker, format version 1")
struct TraceCheckerVersion1Tests {
    static func damaged(_ sql: String, in directory: borrowing TemporaryDirectory) throws -> (path: String, report: TraceCheckReport) {
        let path = directory.path("v1-\(UUID().uuidString).sqlite")
        try Version1Trace.legal(at: path)
        if !sql.isEmpty {
            let result = try SQLiteShell.run(path, sql, readOnly: false)
            #expect(result.status == 0, "\(result.stderr)")
        }
        return (path, TraceChecker.check(path: path))
    }

    @Test func legalVersion1TracePasses() throws {
        let directory = try TemporaryDirectory()
        let report = try Self.damaged("", in: directory).report
        #expect(report.isValid)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.formatVersion == 1)
        #expect(report.counts.tasks == 2 && report.counts.transitions == 10 && report.counts.unfinishedTasks == 1)
        #expect(report.counts.marks == 1 && report.counts.untrackedJobs == 1)
    }

    @Test("each defect of a version 1 file: its code and its task", arguments: [
        // seq 6 is task 1 suspended: make it go running -> created.
        ("UPDATE transition_log SET state_code = 0 WHERE seq = 6", "illegal_transition", TraceTaskID(1)),
        ("UPDATE transition_log SET state_code = 2 WHERE seq = 4", "first_state_not_created", 2),
        ("UPDATE transition_log SET ts_ns = 5 WHERE seq = 10", "time_goes_backwards", 1),
        ("UPDATE transition_log SET ts_ns = -3 WHERE seq = 1", "timestamp_out_of_range", 1),
        ("UPDATE transition_log SET state_code = 9 WHERE seq = 7", "bad_state_code", 2),
        ("UPDATE transition_log SET thread_id = 7 WHERE seq = 7", "unknown_thread", 2),
        ("INSERT INTO transition_log(task_id, ts_ns, state_code) VALUES (5, 80, 0)", "unknown_task", 5),
        ("INSERT INTO marks VALUES (8, 40, 'annotation', 'x')", "mark_unknown_task", 8),
    ])
    func defectIsReported(sql: String, code: String, task: TraceTaskID) throws {
        let directory = try TemporaryDirectory()
        let report = try Self.damaged(sql, in: directory).report
        #expect(!report.isValid)
        let found = report.problems.filter { $0.code == code }
        #expect(found.count == 1, "\(report.problems)")
        #expect(found.first?.taskID == task)
    }

    @Test("a damaged index (which quick_check at open does not see) is a corrupt error")
    func damagedIndex() throws {
        let directory = try TemporaryDirectory()
        // Make the index disagree with its table behind SQLite's back (writable_schema: the index's definition
        // changes, its entries do not).
        let sql = """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = 'CREATE INDEX transition_log_by_time ON transition_log(state_code)'
                WHERE name = 'transition_log_by_time';
            """
        let report = try Self.damaged(sql, in: directory).report
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.code == "corrupt" }, "\(report.problems)")
    }
}
