import TaskTraceModel
import TaskTraceStore

/// The SQLite insert ceiling: how many transitions per second `TraceWriter` takes, as the recorder's writer
/// thread feeds it (batches of 10k rows with their task rows), including `finish` (index build), into a fresh file.
enum StoreSection {
    static func transitionsPerSecond(rows: Int, path: String) throws -> (perSecond: Double, finishSeconds: Double) {
        let perTask = 4
        let batchSize = 10_000
        let cycle: [TaskState] = [.created, .scheduled, .running, .done]
        var batches: [TraceBatch] = []
        var start = 0
        while start < rows {
            let end = min(start + batchSize, rows)
            var batch = TraceBatch()
            for index in start..<end {
                let state = cycle[index % perTask]
                let task = TraceTaskID(index / perTask + 2)
                batch.transitions.append(
                    TransitionRecord(
                        taskID: task, timestamp: TraceNanos(index * 25), state: state,
                        threadID: state == .running ? TraceThreadID(index % 2 + 1) : 0
                    )
                )
                if state == .created {
                    batch.tasks.append(
                        TaskRecord(id: task, parentID: 1, name: nil, kind: .groupChild, file: nil, line: nil))
                }
            }
            batches.append(batch)
            start = end
        }
        let writer = try TraceWriter(path: path)
        var finish = 0.0
        let total = try Stopwatch.seconds {
            for batch in batches { try writer.write(batch) }
            finish = try Stopwatch.seconds { try writer.finish() }
        }
        return (Double(rows) / total, finish)
    }

    /// The writer on the yield-heavy workload's shape: `tasks` tasks each doing `yields` jobs, interleaved round
    /// robin as the deriver hands them over (created, scheduled, then running → suspended → scheduled per job),
    /// in batches of ~30k transitions (what one 10 ms flush carries at that program's pace). Returns transitions
    /// per second and nanoseconds per job, `finish` included: the writer's cost per job without the program.
    static func yieldShaped(tasks: Int, yields: Int, path: String) throws -> (transitionsPerSecond: Double, nanosPerJob: Double) {
        var batches: [TraceBatch] = []
        var batch = TraceBatch()
        var clock: TraceNanos = 1_000
        var transitions = 0
        func add(_ task: Int, _ state: TaskState, thread: TraceThreadID) {
            clock += 50
            batch.transitions.append(
                TransitionRecord(taskID: TraceTaskID(task + 2), timestamp: clock, state: state, threadID: thread))
            transitions += 1
            if batch.transitions.count >= 30_000 {
                batches.append(batch)
                batch = TraceBatch()
            }
        }
        batch.tasks = (0..<tasks).map { TaskRecord(id: TraceTaskID($0 + 2), parentID: 1, kind: .groupChild) }
        for task in 0..<tasks {
            add(task, .created, thread: 1)
            add(task, .scheduled, thread: 1)
        }
        for job in 0...yields {
            for task in 0..<tasks {
                let thread = TraceThreadID(task % 2 + 1)
                add(task, .running, thread: thread)
                if job == yields {
                    add(task, .done, thread: thread)
                } else {
                    add(task, .suspended, thread: thread)
                    add(task, .scheduled, thread: thread)
                }
            }
        }
        batches.append(batch)
        let writer = try TraceWriter(path: path)
        let seconds = try Stopwatch.seconds {
            for batch in batches { try writer.write(batch) }
            try writer.finish()
        }
        return (Double(transitions) / seconds, seconds * 1e9 / Double(tasks * (yields + 1)))
    }
}
