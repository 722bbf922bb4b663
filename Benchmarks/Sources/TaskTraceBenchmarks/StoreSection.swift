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
}
