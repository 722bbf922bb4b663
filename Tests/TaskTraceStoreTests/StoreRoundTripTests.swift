import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@Suite("Store round trip")
struct StoreRoundTripTests {
    /// A deterministic workload: `taskCount` tasks, each created → scheduled → running (on one of 4 threads) →
    /// suspended → scheduled → running → done, interleaved in time across tasks.
    static func workload(taskCount: Int) -> [TransitionRecord] {
        let cycle: [TaskState] = [.created, .scheduled, .running, .suspended, .scheduled, .running, .done]
        var records: [TransitionRecord] = []
        records.reserveCapacity(taskCount * cycle.count)
        var time: TraceNanos = 0
        for step in cycle.indices {
            for task in 0..<taskCount {
                time += 7
                let thread: TraceThreadID = cycle[step] == .running ? TraceThreadID(task % 4 + 1) : 0
                records.append(
                    TransitionRecord(taskID: TraceTaskID(task + 1), timestamp: time, state: cycle[step], threadID: thread)
                )
            }
        }
        return records
    }

    @Test("100k transitions across tasks and threads read back identical, each task's in order, one row per job")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("trace.sqlite")
        let records = Self.workload(taskCount: 100_000 / 7 + 1)
        let tasks = (1...(100_000 / 7 + 1)).map {
            TaskRecord(id: TraceTaskID($0), parentID: $0 > 1 ? 1 : nil, name: "task \($0)", kind: .spawned, file: "M/F.swift", line: $0)
        }
        let threads = (1...4).map { ThreadRecord(id: TraceThreadID($0), name: "tasktrace-worker-\($0)", kind: .worker) }

        // Held rows wait an hour, not 100 ms: on a loaded machine two writes can be 100 ms apart by the writer's
        // clock, and a job's row would then be written in two parts (legal, but not the one row per job checked below).
        let writer = try TraceWriter(path: path, holdNanos: 3_600_000_000_000)
        try writer.setMeta([MetaKey.workers: "4"])
        // Several batches, as the recorder's writer thread would send them.
        var start = 0
        while start < records.count {
            let end = min(start + 10_000, records.count)
            try writer.write(
                TraceBatch(
                    transitions: Array(records[start..<end]),
                    tasks: start == 0 ? tasks : [],
                    threads: start == 0 ? threads : []
                )
            )
            start = end
        }
        try writer.write(TraceBatch(marks: [MarkRecord(taskID: 3, timestamp: 99, kind: MarkKind.cancelRequested, detail: "by 1")]))
        try writer.finish(meta: [MetaKey.endedUnixNs: "123"])

        let reader = try TraceReader(path: path)
        #expect(reader.formatVersion == TraceFormat.version)
        var readBack: [TransitionRecord] = []
        try reader.forEachTransition { readBack.append($0) }
        #expect(readBack.count == records.count)
        // Each task's transitions in recorded order (the file keeps jobs in the order they ended).
        #expect(Dictionary(grouping: readBack, by: \.taskID) == Dictionary(grouping: records, by: \.taskID))
        #expect(try reader.transitionCount() == records.count)
        // Every task has two jobs (created…suspended, scheduled…done): one row each.
        #expect(try runSQLite(path, "SELECT count(*) FROM job_log") == "\(2 * tasks.count)")
        #expect(try reader.tasks() == tasks)
        #expect(try reader.threads() == threads)
        #expect(try reader.marks() == [MarkRecord(taskID: 3, timestamp: 99, kind: MarkKind.cancelRequested, detail: "by 1")])
        let meta = try reader.meta()
        #expect(meta[MetaKey.formatVersion] == "\(TraceFormat.version)")
        #expect(meta[MetaKey.droppedEvents] == "0")
        #expect(meta[MetaKey.endedUnixNs] == "123")
        #expect(meta[MetaKey.workers] == "4")

        var validator = TransitionValidator()
        readBack.forEach { validator.observe($0) }
        #expect(validator.violations.isEmpty)
        #expect(validator.unfinishedTasks.isEmpty)
    }

    @Test("one task's transitions stream in order, ties broken by recorded order")
    func perTaskStreamAndTies() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ties.sqlite")
        let writer = try TraceWriter(path: path)
        // Same timestamp for scheduled and running: recorded order must win.
        let records = [
            TransitionRecord(taskID: 9, timestamp: 5, state: .created),
            TransitionRecord(taskID: 8, timestamp: 5, state: .created),
            TransitionRecord(taskID: 9, timestamp: 5, state: .scheduled),
            TransitionRecord(taskID: 9, timestamp: 5, state: .running, threadID: 2),
        ]
        try writer.write(TraceBatch(transitions: records))
        try writer.finish()
        let reader = try TraceReader(path: path)
        var all: [TransitionRecord] = []
        try reader.forEachTransition { all.append($0) }
        #expect(all.filter { $0.taskID == 9 } == records.filter { $0.taskID == 9 })
        #expect(all.filter { $0.taskID == 8 } == records.filter { $0.taskID == 8 })
        var nine: [TaskState] = []
        try reader.forEachTransition(taskID: 9) { nine.append($0.state) }
        #expect(nine == [.created, .scheduled, .running])
        // The documented view orders equal times by `seq`, which follows each task's recorded order.
        let view = try runSQLite(path, "SELECT group_concat(state, ' ') FROM (SELECT state FROM transitions WHERE task_id = 9 ORDER BY ts_ns, seq)")
        #expect(view == "created scheduled running")
    }

    @Test("task upserts fill in later details without erasing earlier ones")
    func taskUpsertMerges() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("upsert.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 4, parentID: 1, name: nil, kind: .groupChild, file: "A/B.swift", line: 3)]))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 4, name: "fetch", kind: .unknown, error: "boom")]))
        try writer.finish()
        let task = try TraceReader(path: path).tasks().first
        #expect(task == TaskRecord(id: 4, parentID: 1, name: "fetch", kind: .groupChild, file: "A/B.swift", line: 3, error: "boom"))
    }

    @Test("every task kind is stored under its own name, in multi-row statements and single rows alike")
    func everyKindStoredByName() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("kinds.sqlite")
        let writer = try TraceWriter(path: path)
        // 150 rows: a 128-row statement, a 16-row one and single rows, each kind in all three.
        let kinds = (0..<150).map { TaskKind.allCases[$0 % TaskKind.allCases.count] }
        try writer.write(TraceBatch(tasks: kinds.indices.map { TaskRecord(id: TraceTaskID($0 + 1), kind: kinds[$0]) }))
        try writer.finish()
        let stored = try runSQLite(path, "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM tasks ORDER BY id)")
        #expect(stored == kinds.map(\.rawValue).joined(separator: " "))
    }

    @Test("upserts of one id inside one batch merge in order, across multi-row statements")
    func upsertsWithinOneBatchMerge() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("batch-upsert.sqlite")
        let writer = try TraceWriter(path: path)
        // 203 records: one 128-row statement, four 16-row ones, eleven single rows.
        var tasks = (100..<300).map { TaskRecord(id: TraceTaskID($0), name: "t\($0)", kind: .spawned) }
        tasks.insert(TaskRecord(id: 4, parentID: 1, kind: .groupChild), at: 0)
        tasks.insert(TaskRecord(id: 4, name: "named later"), at: 20)  // same 128-row statement
        tasks.insert(TaskRecord(id: 4, kind: .unknown), at: 140)  // a 16-row statement
        tasks.append(TaskRecord(id: 4, error: "failed"))  // the single-row tail
        try writer.write(TraceBatch(tasks: tasks))
        try writer.finish()
        let read = try TraceReader(path: path).tasks()
        #expect(read.count == 201)
        #expect(read.first == TaskRecord(id: 4, parentID: 1, name: "named later", kind: .groupChild, error: "failed"))
    }

    @Test("a finished trace is one file: no WAL left beside it, no index to build")
    func finishedTraceIsSingleFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("single.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(TraceBatch(transitions: [TransitionRecord(taskID: 1, timestamp: 1, state: .created)]))
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        // Readers stream job_log in its recorded order, so no index is built (nor paid for) at the end.
        #expect(try runSQLite(path, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_autoindex%'") == "0")
        #expect(try runSQLite(path, "SELECT count(*) FROM job_log") == "1")
        #expect(try runSQLite(path, "PRAGMA user_version") == "\(TraceFormat.version)")
    }

    @Test("an unfinished recording (no finish call) is still readable, with the rows held past the hold time")
    func unfinishedRecordingReadable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("crashed.sqlite")
        var writer: TraceWriter? = try TraceWriter(path: path, holdNanos: 1_000_000)
        // Task 1's job ends in the first batch: written at once. Task 2's job is still open: held.
        try writer?.write(
            TraceBatch(transitions: [
                TransitionRecord(taskID: 1, timestamp: 1, state: .created),
                TransitionRecord(taskID: 1, timestamp: 2, state: .scheduled),
                TransitionRecord(taskID: 1, timestamp: 3, state: .running, threadID: 1),
                TransitionRecord(taskID: 1, timestamp: 4, state: .done, threadID: 1),
                TransitionRecord(taskID: 2, timestamp: 5, state: .created),
            ]))
        #expect(writer?.heldRowCount == 1)
        #expect(try TraceReader(path: path).transitionCount() == 4)
        // Past the hold time an idle flush writes the held row, so a kill loses no more than that.
        usleep(5_000)
        try writer?.writeHeldRows()
        #expect(writer?.heldRowCount == 0)
        writer = nil
        let reader = try TraceReader(path: path)
        #expect(try reader.transitionCount() == 5)
        #expect(try reader.meta()[MetaKey.endedUnixNs] == nil)
    }

    @Test("the documented view `transitions` names states")
    func transitionsView() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("view.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(transitions: TaskState.allCases.enumerated().map {
                TransitionRecord(taskID: 1, timestamp: TraceNanos($0.offset), state: $0.element)
            })
        )
        try writer.finish()
        let names = try runSQLite(path, "SELECT group_concat(state, ' ') FROM (SELECT state FROM transitions ORDER BY ts_ns, seq)")
        #expect(names == TaskState.allCases.map(\.name).joined(separator: " "))
    }
}
