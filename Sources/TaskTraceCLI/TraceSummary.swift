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

    /// Reads `path` with `TraceReader`.
    /// - Throws: `TraceStoreError` when the file cannot be read.
    init(path: String) throws {
        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        taskCount = try reader.tasks().count
        var validator = TransitionValidator()
        var lastTimestamp: UInt64 = 0
        try reader.forEachTransition { record in
            transitionsPerState[record.state, default: 0] += 1
            validator.observe(record)
            lastTimestamp = max(lastTimestamp, record.timestamp)
        }
        unfinishedCount = validator.unfinishedTasks.count
        durationNanos = meta[MetaKey.durationNs].flatMap { UInt64($0) } ?? lastTimestamp
        droppedEvents = meta[MetaKey.droppedEvents] ?? "unknown"
    }

    /// The lines `record demo` prints.
    var lines: [String] {
        let total = transitionsPerState.values.reduce(0, +)
        let perState = TaskState.allCases.map { "\($0.name) \(transitionsPerState[$0] ?? 0)" }
        return [
            "tasks: \(taskCount)" + (unfinishedCount > 0 ? " (\(unfinishedCount) unfinished)" : ""),
            "transitions: \(total) (\(perState.joined(separator: ", ")))",
            "duration: " + String(format: "%.3f s", Double(durationNanos) / 1e9) + ", dropped events: \(droppedEvents)",
        ]
    }
}
