import TaskTraceExport
import TaskTraceModel

/// A hand-made trace for analysis tests: tasks, transitions and marks written as rows, times in ticks of 0.1 ms
/// so expected values can be computed by hand from the rows (never from the code under test).
struct ConstructedTrace {
    /// One tick: 0.1 ms.
    static let tick: TraceNanos = 100_000

    var tasks: [TaskRecord] = []
    var transitions: [TransitionRecord] = []
    var marks: [MarkRecord] = []
    var untrackedJobs: [UntrackedJobRecord] = []
    var threads: [ThreadRecord] = [ThreadRecord(id: 1, name: "tasktrace-worker-1", kind: .worker)]
    /// The end of the trace, in ticks (meta `duration_ns`).
    var durationTicks: UInt64
    var meta: [String: String] = [:]

    init(durationTicks: UInt64) { self.durationTicks = durationTicks }

    mutating func task(_ id: TraceTaskID, _ name: String?, parent: TraceTaskID? = nil, kind: TaskKind = .spawned) {
        tasks.append(
            TaskRecord(id: id, parentID: parent, name: name, kind: kind, file: "App/Main.swift", line: Int(id)))
    }

    /// Task `id` enters `state` at `ticks` (on `thread` for running, or the enqueuing thread for a wake).
    mutating func at(_ ticks: UInt64, _ id: TraceTaskID, _ state: TaskState, thread: TraceThreadID = 0) {
        transitions.append(TransitionRecord(taskID: id, timestamp: ticks * Self.tick, state: state, threadID: thread))
    }

    mutating func mark(_ ticks: UInt64, _ id: TraceTaskID?, _ kind: String, _ detail: String? = nil) {
        marks.append(MarkRecord(taskID: id, timestamp: ticks * Self.tick, kind: kind, detail: detail))
    }

    /// The timeline, transitions fed in time order (ties in written order) as the reader delivers them.
    var timeline: Timeline { timeline(options: TimelineOptions()) }

    /// The timeline with a window or filter.
    func timeline(options: TimelineOptions) -> Timeline {
        var allMeta = meta
        allMeta[MetaKey.durationNs] = String(durationTicks * Self.tick)
        if allMeta[MetaKey.endedUnixNs] == nil { allMeta[MetaKey.endedUnixNs] = "1" }
        allMeta[MetaKey.workers] = String(threads.filter { $0.kind == .worker }.count)
        var builder = TimelineBuilder(
            tasks: tasks, threads: threads, marks: marks, untrackedJobs: untrackedJobs, meta: allMeta,
            options: options
        )
        let ordered = transitions.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }
        for (_, transition) in ordered { builder.add(transition) }
        return builder.finish()
    }

    static func ticks(_ value: UInt64) -> TraceNanos { value * tick }
}

extension Timeline {
    /// Index of the task with `id` (tests only ask for tasks they wrote).
    func index(of id: TraceTaskID) -> Int {
        tasks.firstIndex { $0.id == id } ?? -1
    }
}
