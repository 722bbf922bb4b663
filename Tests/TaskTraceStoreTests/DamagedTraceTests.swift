import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Traces damaged after they were written (by hand, by another tool): the reader reports them as one clear
/// error instead of handing nonsense to the exporters, and the writer never destroys what is not a trace.
@Suite("Damaged traces")
struct DamagedTraceTests {
    /// A small valid trace, then `sql` run on it with the sqlite3 shell.
    static func damagedTrace(in directory: borrowing TemporaryDirectory, _ sql: String) throws -> String {
        let path = try ReaderRefusalTests.makeTrace(in: directory, rows: 50)
        #expect(try SQLiteShell.run(path, sql, readOnly: false).status == 0)
        return path
    }

    static func readEverything(_ path: String) throws {
        let reader = try TraceReader(path: path)
        _ = try reader.marks()
        _ = try reader.untrackedJobs()
        try reader.forEachTransition { _ in }
    }

    static func isCorrupt(_ error: any Error, mentioning text: String) -> Bool {
        guard let error = error as? TraceStoreError, case .corrupt(_, let detail) = error else { return false }
        return detail.contains(text)
    }

    // `makeTrace` gives every task one `created` transition: job_log row `seq` k holds task k - 1.
    @Test("negative or huge timestamps", arguments: [
        "UPDATE job_log SET created_ns = -1 WHERE seq = 3",
        "UPDATE job_log SET created_ns = 9223372036854775807 WHERE seq = 3",
        "UPDATE job_log SET end_ns = -7, end_code = 4 WHERE seq = 3",
        "UPDATE job_log SET end_ns = -7, end_code = 4, end_inferred = 1 WHERE seq = 3",
        "INSERT INTO mark_log VALUES (1, -1, 'annotation', 'x')",
        "INSERT INTO untracked_jobs(thread_id, start_ns, end_ns) VALUES (1, -5, -1)",
        "INSERT INTO untracked_jobs(thread_id, start_ns, end_ns) VALUES (1, 50, 10)",
    ])
    func timestampsOutOfRange(_ sql: String) throws {
        let directory = try TemporaryDirectory()
        let path = try Self.damagedTrace(in: directory, sql)
        #expect { try Self.readEverything(path) } throws: { Self.isCorrupt($0, mentioning: "0…2^62") }
    }

    @Test("an end code that is not a job's end, or an end half missing")
    func endCodeOutOfRange() throws {
        let directory = try TemporaryDirectory()
        for code in [7, 260, -1, 2] {
            let path = try Self.damagedTrace(in: directory, "UPDATE job_log SET end_ns = 9, end_code = \(code) WHERE seq = 2")
            #expect { try Self.readEverything(path) } throws: { Self.isCorrupt($0, mentioning: "end_code \(code)") }
        }
        let halfEnd = try Self.damagedTrace(in: directory, "UPDATE job_log SET end_ns = 9 WHERE seq = 2")
        #expect { try Self.readEverything(halfEnd) } throws: { Self.isCorrupt($0, mentioning: "end_ns without end_code") }
    }

    @Test("a state code that is not a state, in a version 1 file")
    func stateCodeOutOfRangeVersion1() throws {
        let directory = try TemporaryDirectory()
        for code in [7, 260, -1] {
            let path = directory.path("v1-\(code).sqlite")
            try Version1Trace.legal(at: path)
            #expect(try SQLiteShell.run(path, "UPDATE transition_log SET state_code = \(code) WHERE seq = 2", readOnly: false).status == 0)
            #expect { try Self.readEverything(path) } throws: { Self.isCorrupt($0, mentioning: "state_code \(code)") }
        }
    }

    @Test("a batch that is not the JSON tasktrace writes: the reader refuses it and check reports it", arguments: [
        // Not JSON at all.
        "UPDATE job_batches SET jobs = substr(jobs, 1, length(jobs) / 2) WHERE seq = 1",
        "UPDATE job_batches SET jobs = 'not json' WHERE seq = 1",
        "INSERT INTO untracked_batches(base_ns, jobs) VALUES (0, '[[1, 2')",
        // JSON that SQLite's views read (so only the batch check can tell), but not what tasktrace writes.
        "UPDATE job_batches SET jobs = json_set(jobs, '$[0][1]', 2000.5) WHERE seq = 1",
        "UPDATE job_batches SET jobs = json_set(jobs, '$[0][0]', 'seven') WHERE seq = 1",
        "UPDATE job_batches SET jobs = json_set(jobs, '$[0][0]', json('null')) WHERE seq = 1",
        "UPDATE job_batches SET jobs = json_set(jobs, '$[0]', json('[1,2,3,4,5,6,7,8,9,10,11]')) WHERE seq = 1",
        "INSERT INTO untracked_batches(base_ns, jobs) VALUES (0, '[[1,null,5]]')",
        "INSERT INTO job_batches(base_ns, jobs) SELECT 0, '[' || group_concat('[1]') || ']' FROM "
            + "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1025) SELECT i FROM n)",
    ])
    func damagedBatchJSON(_ sql: String) throws {
        let directory = try TemporaryDirectory()
        let path = try Self.damagedTrace(in: directory, sql)
        #expect { try Self.readEverything(path) } throws: { Self.isCorrupt($0, mentioning: "JSON") }
        let report = TraceChecker.check(path: path)
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.code == "bad_batch" }, "\(report.problems)")
    }

    @Test("an end_inferred other than 1 is read as the marks view reads it: not inferred")
    func endInferredIsOneOrNot() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.damagedTrace(in: directory, "UPDATE job_log SET end_ns = 9, end_code = 4, end_inferred = 2 WHERE seq = 2")
        let reader = try TraceReader(path: path)
        #expect(try reader.marks().count == Int(try runSQLite(path, "SELECT count(*) FROM marks")))
        #expect(try reader.rowCount(of: .marks) == Int(try runSQLite(path, "SELECT count(*) FROM marks")))
    }

    @Test("a reader queried again from inside its own streaming callback: each query sees the whole file once")
    func nestedQueries() throws {
        let directory = try TemporaryDirectory()
        let path = try ReaderRefusalTests.makeTrace(in: directory, rows: 1_500)
        let reader = try TraceReader(path: path)
        let total = try reader.transitionCount()
        #expect(total == 1_500)
        var outer = 0
        try reader.forEachTransition { _ in
            outer += 1
            if outer % 500 == 1 {
                // The same batch query, nested: it must not reset the outer one (which would restart it).
                #expect(try reader.transitionCount() == total)
                var inner = 0
                try reader.forEachTransition { _ in inner += 1 }
                #expect(inner == total)
            }
        }
        #expect(outer == total)
    }

    @Test("a table without a column the reader needs")
    func missingColumn() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.damagedTrace(
            in: directory,
            "DROP VIEW transitions; DROP VIEW marks; DROP VIEW job_log; ALTER TABLE job_batches DROP COLUMN base_ns")
        #expect {
            _ = try TraceReader(path: path)
        } throws: { error in
            guard case .missingColumn(_, "job_batches", "base_ns") = error as? TraceStoreError else { return false }
            return true
        }
        let other = try TemporaryDirectory()
        let noView = try Self.damagedTrace(in: other, "DROP VIEW transitions; DROP VIEW marks; DROP VIEW job_log")
        #expect {
            _ = try TraceReader(path: noView)
        } throws: { error in
            guard case .notATrace(_, "job_log") = error as? TraceStoreError else { return false }
            return true
        }
        let version1 = directory.path("v1.sqlite")
        try Version1Trace.legal(at: version1)
        #expect(
            try SQLiteShell.run(version1, "DROP VIEW transitions; ALTER TABLE transition_log DROP COLUMN thread_id", readOnly: false)
                .status == 0)
        #expect {
            _ = try TraceReader(path: version1)
        } throws: { error in
            guard case .missingColumn(_, "transition_log", "thread_id") = error as? TraceStoreError else { return false }
            return true
        }
    }

    @Test("a negative format version")
    func negativeVersion() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.damagedTrace(in: directory, "PRAGMA user_version = -1")
        #expect { _ = try TraceReader(path: path) } throws: { Self.isCorrupt($0, mentioning: "format version -1") }
    }

    @Test("the writer refuses to replace a FIFO (or a device) at its path, and leaves it there")
    func writerNeverReplacesSpecialFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("pipe.sqlite")
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: TraceStoreError.self) { _ = try TraceWriter(path: path) }
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test("a reader in the middle of a query does not make the recording fail at finish")
    func readerDuringFinish() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("live.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(transitions: (0..<500).map { TransitionRecord(taskID: 1, timestamp: TraceNanos($0), state: .created) })
        )
        let reader = try TraceReader(path: path)
        var finished = false
        try reader.forEachTransition { record in
            // The reader holds its read transaction open while the writer ends the recording.
            if record.timestamp == 10, !finished {
                try writer.finish(meta: [MetaKey.endedUnixNs: "1"])
                finished = true
            }
        }
        #expect(finished)
        #expect(try TraceReader(path: path).meta()[MetaKey.endedUnixNs] == "1")
    }
}
