import Foundation
import TaskTraceDemo
import TaskTraceModel
import TaskTraceStore
import Testing

/// Format version 2 packs transitions into one `job_log` row per job; version 3 stores those rows as JSON batches of
/// up to 1,024 (`job_batches`) behind the `job_log` view. Whatever the packing, every transition must come back
/// exactly, in each task's order, through the reader and through the documented `transitions` view. Expected values
/// are the transitions the test wrote.
@Suite("Job log (format versions 2 and 3)")
struct JobLogTests {
    /// The demo's seeded generator, so a failing seed can be replayed.
    typealias Seeded = SplitMix64

    /// Legal lives for `tasks` tasks, interleaved at random (each task's order kept, time strictly increasing),
    /// with random threads on every transition (0 = none) and random unfinished ends.
    static func randomLives(seed: UInt64, tasks: Int) -> [TransitionRecord] {
        var random = Seeded(seed: seed)
        var lives: [[(TaskState, TraceThreadID)]] = []
        for _ in 0..<tasks {
            var life: [(TaskState, TraceThreadID)] = [(.created, TraceThreadID(random.int(in: 0...2)))]
            let jobs = 1 + random.int(in: 0...3)
            var ended = false
            for job in 0..<jobs {
                life.append((.scheduled, TraceThreadID(random.int(in: 0...2))))
                if random.int(in: 0...7) == 0 { ended = true; break }  // unfinished while queued
                let worker = TraceThreadID(1 + random.int(in: 0...1))
                life.append((.running, worker))
                if random.int(in: 0...7) == 0 { ended = true; break }  // unfinished while running
                let endThread = random.int(in: 0...2) == 0 ? 0 : worker
                if job == jobs - 1 {
                    let terminal: [TaskState] = [.done, .cancelled, .errored]
                    life.append((terminal[random.int(in: 0...2)], endThread))
                    ended = true
                } else {
                    life.append((.suspended, endThread))
                }
            }
            if !ended { life.append((.done, 0)) }
            lives.append(life)
        }
        var cursors = Array(repeating: 0, count: tasks)
        var open = Array(0..<tasks)
        var result: [TransitionRecord] = []
        var time: TraceNanos = 0
        while !open.isEmpty {
            let pick = random.int(in: 0...open.count - 1)
            let task = open[pick]
            let (state, thread) = lives[task][cursors[task]]
            time += TraceNanos(1 + random.int(in: 0...4))
            result.append(TransitionRecord(taskID: TraceTaskID(task + 1), timestamp: time, state: state, threadID: thread))
            cursors[task] += 1
            if cursors[task] == lives[task].count { open.remove(at: pick) }
        }
        return result
    }

    /// Writes `records` in random batches, finishes, and returns the path. `withSlots`: as the recorder does,
    /// with a dense number per task (`TraceBatch.transitionSlots`, here task id - 1) instead of task-id lookups.
    static func write(
        _ records: [TransitionRecord], seed: UInt64, holdNanos: UInt64, withSlots: Bool = false,
        in directory: borrowing TemporaryDirectory
    ) throws -> String {
        var random = Seeded(seed: seed ^ 0xABCD)
        let path = directory.path("jobs-\(seed)-\(holdNanos)-\(withSlots).sqlite")
        let writer = try TraceWriter(path: path, holdNanos: holdNanos)
        let tasks = Set(records.map(\.taskID)).sorted().map { TaskRecord(id: $0) }
        try writer.write(TraceBatch(tasks: tasks, threads: (1...2).map { ThreadRecord(id: $0, name: "w\($0)", kind: .worker) }))
        var start = 0
        while start < records.count {
            let end = min(records.count, start + 1 + random.int(in: 0...39))
            var batch = TraceBatch(transitions: Array(records[start..<end]))
            if withSlots { batch.transitionSlots = batch.transitions.map { UInt32($0.taskID - 1) } }
            try writer.write(batch)
            start = end
        }
        try writer.finish()
        return path
    }

    static func perTask(_ records: [TransitionRecord]) -> [TraceTaskID: [TransitionRecord]] {
        Dictionary(grouping: records, by: \.taskID)
    }

    @Test(
        "random lives come back exactly through the reader and the view, held or not, found by task id or slot",
        arguments: [0, 100_000_000] as [UInt64], [false, true])
    func randomLivesRoundTrip(holdNanos: UInt64, withSlots: Bool) throws {
        let directory = try TemporaryDirectory()
        for seed in UInt64(1)...20 {
            let records = Self.randomLives(seed: seed, tasks: 40)
            let path = try Self.write(records, seed: seed, holdNanos: holdNanos, withSlots: withSlots, in: directory)
            let reader = try TraceReader(path: path)
            var readBack: [TransitionRecord] = []
            try reader.forEachTransition { readBack.append($0) }
            #expect(Self.perTask(readBack) == Self.perTask(records), "seed \(seed)")
            #expect(try reader.transitionCount() == records.count, "seed \(seed)")
            #expect(TraceChecker.check(path: path).isValid, "seed \(seed)")

            // The documented view, read by the sqlite3 shell: the same rows, state names and threads.
            let view = try SQLiteShell.run(
                path, "SELECT task_id, ts_ns, state, coalesce(thread_id, 0) FROM transitions ORDER BY task_id, ts_ns, seq",
                readOnly: true
            ).stdout
            let expected = records.sorted { ($0.taskID, $0.timestamp) < ($1.taskID, $1.timestamp) }
                .map { "\($0.taskID)|\($0.timestamp)|\($0.state.name)|\($0.threadID)" }
            #expect(view.split(separator: "\n").map(String.init) == expected, "seed \(seed)")
        }
    }

    @Test("extreme ids, threads and times, and jobs across batch boundaries, come back exactly")
    func extremesAndBatchBoundaries() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("extremes.sqlite")
        let writer = try TraceWriter(path: path)
        // Ids as Swift and the blocking pool number them, and the largest bit patterns; the widest time range.
        let ids: [TraceTaskID] = [1, TaskIDText.blockingIDBase + 5, UInt64(Int64.max), UInt64.max, UInt64.max - 1]
        let top = TraceFormat.maxTimestamp
        var records: [TransitionRecord] = []
        for (index, id) in ids.enumerated() {
            records += [
                TransitionRecord(taskID: id, timestamp: TraceNanos(index), state: .created, threadID: .max),
                TransitionRecord(taskID: id, timestamp: TraceNanos(index), state: .scheduled, threadID: .max),
                TransitionRecord(taskID: id, timestamp: top - 10 + TraceNanos(index), state: .running, threadID: 1),
                TransitionRecord(taskID: id, timestamp: top - 5 + TraceNanos(index), state: .errored, threadID: .max),
            ]
        }
        // With 1,500 one-job tasks, 1,505 rows in one write: several batches, numbered across the stride.
        for task in 0..<1_500 {
            let id = TraceTaskID(1_000 + task)
            let time = TraceNanos(100 + 4 * task)
            records += [
                TransitionRecord(taskID: id, timestamp: time, state: .created, threadID: 2),
                TransitionRecord(taskID: id, timestamp: time + 1, state: .scheduled, threadID: 2),
                TransitionRecord(taskID: id, timestamp: time + 2, state: .running, threadID: 3),
                TransitionRecord(taskID: id, timestamp: time + 3, state: .done, threadID: 3),
            ]
        }
        let tasks = Set(records.map(\.taskID)).sorted().map { TaskRecord(id: $0) }
        let threads = [1, 2, 3, TraceThreadID.max].map { ThreadRecord(id: $0, name: "t\($0)", kind: .worker) }
        try writer.write(TraceBatch(transitions: records, tasks: tasks, threads: threads))
        try writer.finish()

        let reader = try TraceReader(path: path)
        var readBack: [TransitionRecord] = []
        try reader.forEachTransition { readBack.append($0) }
        #expect(Self.perTask(readBack) == Self.perTask(records))
        let sizes = try runSQLite(path, "SELECT group_concat(json_array_length(jobs)) FROM job_batches")
            .split(separator: ",").compactMap { Int($0) }
        #expect(sizes.count >= 3 && sizes.reduce(0, +) == ids.count + 1_500, "\(sizes)")
        #expect(try runSQLite(path, "SELECT count(DISTINCT seq) FROM job_log") == "\(ids.count + 1_500)")
        #expect(TraceChecker.check(path: path).isValid)
    }

    @Test("a long write's batch rows each fill about one page, none spilling over it: the file is little more than its text")
    func batchesFillPages() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("pages.sqlite")
        let writer = try TraceWriter(path: path)
        var random = Seeded(seed: 11)
        var records: [TransitionRecord] = []
        var untracked: [UntrackedJobRecord] = []
        var time: TraceNanos = 1_000_000
        for task in 0..<12_000 {
            let id = TraceTaskID(task + 1)
            let step = { (random: inout Seeded) in TraceNanos(500 + random.int(in: 0...20_000)) }
            let created = time
            let running = created + step(&random)
            let end = running + step(&random)
            records += [
                TransitionRecord(taskID: id, timestamp: created, state: .created, threadID: 2),
                TransitionRecord(taskID: id, timestamp: created, state: .scheduled, threadID: 2),
                TransitionRecord(taskID: id, timestamp: running, state: .running, threadID: 3),
                TransitionRecord(taskID: id, timestamp: end, state: .done, threadID: 3),
            ]
            untracked.append(UntrackedJobRecord(threadID: 2, start: running, end: end))
            time += step(&random)
        }
        let tasks = records.map(\.taskID).reduce(into: [TraceTaskID]()) { if $0.last != $1 { $0.append($1) } }
            .map { TaskRecord(id: $0) }
        let threads = [2, 3].map { ThreadRecord(id: $0, name: "t\($0)", kind: .worker) }
        try writer.write(
            TraceBatch(transitions: records, tasks: tasks, threads: threads, untrackedJobs: untracked))
        try writer.finish()
        let page = Int(try runSQLite(path, "PRAGMA page_size"))!
        // SQLite keeps a record of up to page size - 35 bytes in its page; the row's other columns take ~15.
        let inPage = page - 35 - 15
        for table in ["job_batches", "untracked_batches"] {
            let lengths = try runSQLite(path, "SELECT group_concat(l) FROM (SELECT length(jobs) AS l FROM \(table) ORDER BY seq)")
                .split(separator: ",").compactMap { Int($0) }
            #expect(lengths.count >= 4, "\(table): \(lengths)")
            // After the first (sized by a guess) and before the last (the write's rest): between 80 % and 100 %.
            for length in lengths.dropFirst().dropLast() {
                #expect(length <= inPage && length >= inPage * 8 / 10, "\(table): \(lengths)")
            }
        }
        let text = Int(
            try runSQLite(path, "SELECT (SELECT sum(length(jobs)) FROM job_batches) + (SELECT sum(length(jobs)) FROM untracked_batches)"))!
        let pages = Int(try runSQLite(path, "PRAGMA page_count"))!
        // The tasks table and the schema take a few pages of their own.
        let other = Int(try runSQLite(path, "SELECT count(*) FROM tasks"))! * 40 + 8 * page
        #expect(pages * page <= (text + other) * 115 / 100, "\(pages) pages of \(page) for \(text) bytes of text")
    }

    @Test("the batch text writes every number as Swift prints it: digit-count boundaries, signs, the extremes")
    func batchTextNumbers() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, Int64.max, Int64.max - 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        // Untracked jobs starting at 0 (the base) and ending at each value; one starting later than them all, so
        // its start is positive and the base stays 0, and one ending before the base: a negative number.
        var jobs = values.map { UntrackedJobRecord(threadID: .max, start: 0, end: TraceNanos($0)) }
        jobs.append(UntrackedJobRecord(threadID: 1, start: 5, end: 7))
        var text: [UInt8] = []
        JobBatchEncoding.encode(jobs[...], base: 0, into: &text)
        let expected = "[" + values.map { "[\(UInt32.max),0,\($0)]" }.joined(separator: ",") + ",[1,5,7]]"
        #expect(String(decoding: text, as: UTF8.self) == expected)
        let negative = [UntrackedJobRecord(threadID: 2, start: 1_000_000_000_000_000_000, end: 0)]
        JobBatchEncoding.encode(negative[...], base: JobBatchEncoding.base(of: negative[...]), into: &text)
        #expect(String(decoding: text, as: UTF8.self) == "[[2,0,-1000000000000000000]]")
    }

    @Test("one row per job when the threads agree, a job's row split only by the hold time")
    func oneRowPerJob() throws {
        let directory = try TemporaryDirectory()
        // Task 1: created+scheduled on thread 1, then 3 jobs on thread 2 ending suspended, suspended, done.
        var records: [TransitionRecord] = [
            .init(taskID: 1, timestamp: 1, state: .created, threadID: 1),
            .init(taskID: 1, timestamp: 2, state: .scheduled, threadID: 1),
        ]
        var time: TraceNanos = 2
        for job in 0..<3 {
            if job > 0 {
                time += 1
                records.append(.init(taskID: 1, timestamp: time, state: .scheduled, threadID: 2))
            }
            time += 1
            records.append(.init(taskID: 1, timestamp: time, state: .running, threadID: 2))
            time += 1
            records.append(.init(taskID: 1, timestamp: time, state: job == 2 ? .done : .suspended, threadID: job == 2 ? 0 : 2))
        }
        let packed = try Self.write(records, seed: 7, holdNanos: 100_000_000, in: directory)
        #expect(try SQLiteShell.run(packed, "SELECT count(*) FROM job_log", readOnly: true).stdout == "3\n")
        // A created on another thread than its scheduled keeps both, in two rows.
        records[0].threadID = 2
        let split = try Self.write(records, seed: 8, holdNanos: 100_000_000, in: directory)
        #expect(try SQLiteShell.run(split, "SELECT count(*) FROM job_log", readOnly: true).stdout == "4\n")
        var readBack: [TransitionRecord] = []
        try TraceReader(path: split).forEachTransition { readBack.append($0) }
        #expect(readBack == records)
    }

    @Test("an inferred outcome's mark is a flag on its job's row, and the marks view spells it out again")
    func inferredOutcomeFlag() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("inferred.sqlite")
        let writer = try TraceWriter(path: path)
        let life: [TransitionRecord] = [
            .init(taskID: 5, timestamp: 1, state: .created), .init(taskID: 5, timestamp: 2, state: .scheduled),
            .init(taskID: 5, timestamp: 3, state: .running, threadID: 1), .init(taskID: 5, timestamp: 4, state: .done),
            .init(taskID: 6, timestamp: 1, state: .created), .init(taskID: 6, timestamp: 2, state: .scheduled),
            .init(taskID: 6, timestamp: 3, state: .running, threadID: 1), .init(taskID: 6, timestamp: 5, state: .cancelled),
        ]
        let marks: [MarkRecord] = [
            MarkRecord(taskID: 5, timestamp: 4, kind: MarkKind.inferredOutcome, detail: InferredOutcomeDetail.parentEnded),
            MarkRecord(
                taskID: 6, timestamp: 5, kind: MarkKind.inferredOutcome,
                detail: InferredOutcomeDetail.parentEndedCancelRequested),
            // Other inferred-outcome texts (process capture's lifetime evidence) stay ordinary marks.
            MarkRecord(taskID: 6, timestamp: 5, kind: MarkKind.inferredOutcome, detail: "task object freed"),
            // A mark whose end is not in the batch stays an ordinary mark too.
            MarkRecord(taskID: 7, timestamp: 9, kind: MarkKind.inferredOutcome, detail: InferredOutcomeDetail.parentEnded),
        ]
        try writer.write(TraceBatch(transitions: life, tasks: [5, 6, 7].map { TaskRecord(id: $0) }, marks: marks))
        try writer.finish()
        #expect(try SQLiteShell.run(path, "SELECT count(*) FROM mark_log", readOnly: true).stdout == "2\n")
        #expect(try SQLiteShell.run(path, "SELECT task_id FROM job_log WHERE end_inferred = 1 ORDER BY task_id", readOnly: true).stdout == "5\n6\n")
        let view = try SQLiteShell.run(path, "SELECT task_id, ts_ns, kind, detail FROM marks ORDER BY task_id, detail", readOnly: true).stdout
        #expect(
            view == """
                5|4|inferred_outcome|parent ended
                6|5|inferred_outcome|parent ended; cancel requested
                6|5|inferred_outcome|task object freed
                7|9|inferred_outcome|parent ended

                """)
        let read = try TraceReader(path: path).marks()
        #expect(Set(read) == Set(marks))
        #expect(read.map(\.timestamp) == read.map(\.timestamp).sorted())
    }

    @Test("a job row waits at most the hold time of trace time: a lagging writer still commits old jobs at once")
    func holdByTraceTime() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("hold.sqlite")
        let writer = try TraceWriter(path: path, holdNanos: 100_000_000)
        // Task 1 is queued at 1 ms and still queued when task 2's job ends 150 ms later, in the same batch (a writer
        // that drains rarely): task 1's row is older than the hold time, so this write commits it; task 2's row,
        // opened at 140 ms, is complete; task 3's, opened at 120 ms, is young and waits.
        try writer.write(
            TraceBatch(transitions: [
                .init(taskID: 1, timestamp: 1_000_000, state: .created),
                .init(taskID: 1, timestamp: 1_000_000, state: .scheduled),
                .init(taskID: 3, timestamp: 120_000_000, state: .created),
                .init(taskID: 2, timestamp: 140_000_000, state: .created),
                .init(taskID: 2, timestamp: 140_000_000, state: .scheduled),
                .init(taskID: 2, timestamp: 145_000_000, state: .running, threadID: 1),
                .init(taskID: 2, timestamp: 151_000_000, state: .done, threadID: 1),
            ]))
        #expect(writer.heldRowCount == 1)
        let committed = try SQLiteShell.run(path, "SELECT task_id FROM job_log ORDER BY seq", readOnly: true).stdout
        #expect(committed == "2\n1\n")
        try writer.finish()
        #expect(try SQLiteShell.run(path, "SELECT task_id FROM job_log ORDER BY seq", readOnly: true).stdout == "2\n1\n3\n")
    }
}
