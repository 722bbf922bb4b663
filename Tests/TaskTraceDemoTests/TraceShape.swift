import TaskTrace
import TaskTraceModel

/// A recorded trace, indexed for asserting the shape of scenarios: per-task segments, final states, children.
struct TraceShape {
    /// One stretch of time a task spent in one state; the last one of an unfinished task runs to `end`.
    struct Segment: Equatable {
        var state: TaskState
        var start: TraceNanos
        var end: TraceNanos
        var duration: TraceNanos { end - start }
    }

    let tasks: [TaskRecord]
    let transitions: [TransitionRecord]
    let transitionsByTask: [TraceTaskID: [TransitionRecord]]
    /// The last timestamp in the trace.
    let end: TraceNanos

    init(_ sink: InMemoryTraceSink) {
        tasks = sink.tasks
        transitions = sink.transitions
        var byTask: [TraceTaskID: [TransitionRecord]] = [:]
        for record in transitions {
            byTask[record.taskID, default: []].append(record)
        }
        transitionsByTask = byTask
        end = transitions.map(\.timestamp).max() ?? 0
    }

    /// The first task called `name`.
    func task(_ name: String) -> TaskRecord? {
        tasks.first { $0.name == name }
    }

    /// Every task whose name starts with `prefix`.
    func tasks(prefixed prefix: String) -> [TaskRecord] {
        tasks.filter { $0.name?.hasPrefix(prefix) ?? false }
    }

    /// Tasks whose parent is `id`.
    func children(of id: TraceTaskID) -> [TaskRecord] {
        tasks.filter { $0.parentID == id }
    }

    /// The state the task was last seen in.
    func finalState(_ id: TraceTaskID) -> TaskState? {
        transitionsByTask[id]?.last?.state
    }

    /// The task's segments in time order.
    func segments(_ id: TraceTaskID) -> [Segment] {
        let records = transitionsByTask[id] ?? []
        return records.indices.map { index in
            let next = index + 1 < records.count ? records[index + 1].timestamp : max(end, records[index].timestamp)
            return Segment(state: records[index].state, start: records[index].timestamp, end: next)
        }
    }

    /// Time of the task's first transition into `state`.
    func firstTime(_ id: TraceTaskID, entering state: TaskState) -> TraceNanos? {
        transitionsByTask[id]?.first { $0.state == state }?.timestamp
    }

    /// How much of `window` the task spent in `state`.
    func time(_ id: TraceTaskID, in state: TaskState, during window: ClosedRange<TraceNanos>) -> TraceNanos {
        segments(id).filter { $0.state == state }.reduce(0) { total, segment in
            let start = max(segment.start, window.lowerBound)
            let end = min(segment.end, window.upperBound)
            return end > start ? total + (end - start) : total
        }
    }

    /// The longest segment of the task in `state`.
    func longestSegment(_ id: TraceTaskID, in state: TaskState) -> Segment? {
        segments(id).filter { $0.state == state }.max { $0.duration < $1.duration }
    }

    /// Every state that occurs in the trace.
    var statesSeen: Set<TaskState> {
        Set(transitions.map(\.state))
    }
}
