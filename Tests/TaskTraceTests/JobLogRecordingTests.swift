import Foundation
@testable import TaskTrace
import TaskTraceModel
import TaskTraceStore
import Testing

/// A real recording into SQLite (format version 3): the recorder's batches pack into one `job_log` row per job,
/// stored 1,024 at most to a `job_batches` row,
/// found by the recorder's task slots, and a plain group's children get their inferred ends as row flags rather
/// than `mark_log` rows. Expected counts come from the test's own workload.
@Suite("Job log of a real recording")
struct JobLogRecordingTests {
    static func count(_ reader: TraceReader, _ sql: String) throws -> Int {
        var value = 0
        try reader.query(sql) { value = Int($0.int64(0)) }
        return value
    }

    @Test("a plain group's children: one row per job, each inferred end a flag", arguments: [1, 4])
    func plainGroupChildren(workers: Int) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let children = 300
        let sum = try await TaskTrace.record(to: path, workers: workers) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<children { group.addTask { index } }
                return await group.reduce(0, +)
            }
        }
        #expect(sum == children * (children - 1) / 2)
        let reader = try TraceReader(path: path)
        #expect(reader.formatVersion == TraceFormat.version)
        // Every child ran one job and ended when the body's task ended: its end is inferred.
        let childIDs = try reader.tasks().filter { $0.kind == .groupChild }.map(\.id)
        #expect(childIDs.count == children)
        let inferred = try reader.marks().filter { $0.kind == MarkKind.inferredOutcome }
        #expect(Set(inferred.compactMap(\.taskID)) == Set(childIDs))
        #expect(inferred.allSatisfy { $0.detail == InferredOutcomeDetail.parentEnded })
        // ... stored as flags, not rows; and each child's job is one row (two when it waited past the hold time).
        #expect(try Self.count(reader, "SELECT count(*) FROM job_log WHERE end_inferred = 1") == children)
        #expect(try Self.count(reader, "SELECT count(*) FROM mark_log WHERE kind = 'inferred_outcome'") == 0)
        let childRows = try Self.count(
            reader, "SELECT count(*) FROM job_log j JOIN tasks t ON t.id = j.task_id WHERE t.kind = 'group_child'")
        #expect(childRows >= children && childRows <= 2 * children)
        #expect(TraceChecker.check(path: path).isValid)
    }

    @Test("a drain larger than one write (the writer behind a busy program) loses and reorders nothing",
          arguments: [1, 4])
    func drainLargerThanOneWrite(workers: Int) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // ~3 events per child, all drained at the end (no periodic flush): more than two writes' worth.
        let children = 2 * TraceRecorder.eventsPerWrite / 3 + 1_000
        var configuration = TraceConfiguration(workers: workers)
        configuration.flushIntervalNanos = 3_600_000_000_000
        let sum = try await TaskTrace.record(into: try SQLiteTraceSink(path: path), configuration: configuration) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<children { group.addTask { index & 1 } }
                return await group.reduce(0, +)
            }
        }
        #expect(sum == children / 2)
        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        for key in [MetaKey.droppedEvents, MetaKey.skippedEvents, MetaKey.reorderedEvents, MetaKey.lateEvents] {
            #expect(meta[key] == "0", "\(key)")
        }
        let childIDs = Set(try reader.tasks().filter { $0.kind == .groupChild }.map(\.id))
        #expect(childIDs.count == children)
        // Each child's life, in recorded order: created, scheduled, running, done.
        var lives: [TraceTaskID: [TaskState]] = [:]
        try reader.forEachTransition { transition in
            if childIDs.contains(transition.taskID) { lives[transition.taskID, default: []].append(transition.state) }
        }
        #expect(lives.count == children)
        #expect(lives.values.allSatisfy { $0 == [.created, .scheduled, .running, .done] })
        #expect(TraceChecker.check(path: path).isValid)
    }

    @Test("a yield-heavy recording: jobs and the yields' untracked jobs stored in batches, every one in the views",
          arguments: [1, 4])
    func yieldsInBatches(workers: Int) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (tasks, yields) = (40, 50)
        try await TaskTrace.record(to: path, workers: workers) { runtime in
            let spawned = (0..<tasks).map { index in
                runtime.spawn("yielder \(index)") {
                    for _ in 0..<yields { await Task.yield() }
                }
            }
            for task in spawned { try await task.value }
        }
        let reader = try TraceReader(path: path)
        // A yielder runs up to yields + 1 jobs (one more row when a job waited past the hold time): with several
        // workers, the job a `Task.yield()` enqueues can run on another worker and resume the task's continuation
        // before the task reaches its await, and the task then goes on in the same job (a 40-round stress run saw it
        // in ~3 % of yielders, each otherwise well formed; docs/performance.md). So: one job per yield at least.
        let yielderIDs = try reader.tasks().filter { $0.name?.hasPrefix("yielder ") == true }.map(\.id)
        #expect(yielderIDs.count == tasks)
        let yielderRows = try Self.count(
            reader, "SELECT count(*) FROM job_log j JOIN tasks t ON t.id = j.task_id WHERE t.name LIKE 'yielder %'")
        let integrity = try reader.meta().filter { $0.key.hasSuffix("_events") || $0.key.hasSuffix("transitions") }
        #expect(
            yielderRows >= tasks * yields && yielderRows <= 2 * tasks * (yields + 1), "\(yielderRows) rows; \(integrity)")
        // `Task.yield()` on a task executor enqueues one job with no task id: one untracked job per yield.
        #expect(try Self.count(reader, "SELECT count(*) FROM untracked_jobs") >= tasks * yields)
        // The views show every stored job, and no batch holds more than the readers take (one `seq` each).
        #expect(
            try Self.count(reader, "SELECT coalesce(sum(json_array_length(jobs)), 0) FROM job_batches")
                == Self.count(reader, "SELECT count(*) FROM job_log"))
        #expect(
            try Self.count(reader, "SELECT coalesce(sum(json_array_length(jobs)), 0) FROM untracked_batches")
                == Self.count(reader, "SELECT count(*) FROM untracked_jobs"))
        #expect(try Self.count(reader, "SELECT count(*) FROM job_batches WHERE json_array_length(jobs) > 1024") == 0)
        // The reader decodes the batches itself: it must see exactly what SQLite's own JSON functions show
        // through the views.
        var viaView: [JobRow] = []
        try reader.query(
            "SELECT task_id, created_ns, scheduled_ns, from_thread, running_ns, end_ns, end_code, thread_id, "
                + "end_thread, end_inferred FROM job_log ORDER BY seq"
        ) { row in
            var job = JobRow(taskID: TraceTaskID(bitPattern: row.int64(0)))
            job.created = row.optionalInt64(1).map { TraceNanos($0) }
            job.scheduled = row.optionalInt64(2).map { TraceNanos($0) }
            job.fromThread = TraceThreadID(row.optionalInt64(3) ?? 0)
            job.running = row.optionalInt64(4).map { TraceNanos($0) }
            job.end = row.optionalInt64(5).map { TraceNanos($0) }
            job.endState = row.optionalInt64(6).flatMap { TaskState(rawValue: UInt8($0)) }
            job.threadID = TraceThreadID(row.optionalInt64(7) ?? 0)
            job.endThread = TraceThreadID(row.optionalInt64(8) ?? 0)
            job.endInferred = row.optionalInt64(9) == 1
            viaView.append(job)
        }
        var viaReader: [JobRow] = []
        try reader.forEachJobRow { viaReader.append($0) }
        #expect(viaReader == viaView)
        var untrackedViaView: [UntrackedJobRecord] = []
        try reader.query("SELECT thread_id, start_ns, end_ns FROM untracked_jobs ORDER BY start_ns, seq") { row in
            untrackedViaView.append(
                UntrackedJobRecord(
                    threadID: TraceThreadID(row.int64(0)), start: TraceNanos(row.int64(1)), end: TraceNanos(row.int64(2))))
        }
        #expect(try reader.untrackedJobs() == untrackedViaView)
        #expect(try reader.transitionCount() == Self.count(reader, "SELECT count(*) FROM transitions"))
        #expect(try Self.count(reader, "SELECT count(*) FROM job_batches") < yielderRows / 10)
        #expect(TraceChecker.check(path: path).isValid)
    }
}
