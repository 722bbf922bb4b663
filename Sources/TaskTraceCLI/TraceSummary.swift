import Foundation
import TaskTraceModel
import TaskTraceStore

/// A few lines about a written trace, read back from the file so they say what is really in it.
struct TraceSummary {
    var taskCount = 0
    var unfinishedCount = 0
    var transitionsPerState: [TaskState: Int] = [:]
    var durationNanos: UInt64 = 0
    var droppedEvents: String = "unknown"
    /// CPU the recording's writer thread used (`meta.writer_cpu_ns`), when the file says: what tracing cost beyond
    /// the events on the program's own threads.
    var writerCPUNanos: UInt64?
    /// The recorder's integrity counters (dropped, skipped, reordered, reconstructed, late events).
    var integrity = TraceIntegrity(meta: [:])

    /// Reads `path` with `TraceReader`, streaming transitions and keeping one byte of state per task (a flood
    /// trace of millions of tasks must not cost more memory to summarise than it cost to record).
    /// - Throws: `TraceStoreError` when the file cannot be read.
    init(path: String) throws {
        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        taskCount = try reader.rowCount(of: .tasks)
        var lastState: [TraceTaskID: TaskState] = [:]
        var perState = [Int](repeating: 0, count: TaskState.allCases.count)
        var lastTimestamp: UInt64 = 0
        try reader.forEachTransition { record in
            perState[Int(record.state.rawValue)] += 1
            lastState[record.taskID] = record.state
            lastTimestamp = max(lastTimestamp, record.timestamp)
        }
        for state in TaskState.allCases { transitionsPerState[state] = perState[Int(state.rawValue)] }
        unfinishedCount = lastState.values.count { !$0.isTerminal }
        durationNanos = meta[MetaKey.durationNs].flatMap { UInt64($0) } ?? lastTimestamp
        droppedEvents = meta[MetaKey.droppedEvents] ?? "unknown"
        writerCPUNanos = meta[MetaKey.writerCPUNs].flatMap { UInt64($0) }
        integrity = TraceIntegrity(meta: meta)
    }

    /// The lines `record demo` prints.
    var lines: [String] {
        let total = transitionsPerState.values.reduce(0, +)
        let perState = TaskState.allCases.map { "\($0.name) \(transitionsPerState[$0] ?? 0)" }
        return [
            "tasks: \(taskCount)" + (unfinishedCount > 0 ? " (\(unfinishedCount) unfinished)" : ""),
            "transitions: \(total) (\(perState.joined(separator: ", ")))",
            "duration: " + String(format: "%.3f s", Double(durationNanos) / 1e9) + ", dropped events: \(droppedEvents)"
                + (writerCPUNanos.map { String(format: ", writer CPU: %.1f ms", Double($0) / 1e6) } ?? ""),
        ] + (integrity.summary.map { ["warning: this trace is not exact: \($0)"] } ?? [])
    }
}
