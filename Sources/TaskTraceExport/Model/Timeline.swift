public import TaskTraceModel

/// The timeline model every exporter draws: tasks in tree order, their state segments, marks, worker threads,
/// untracked jobs and the trace's metadata. Built once by `TimelineBuilder`; no exporter re-derives it.
///
/// Thread-safe to read (a value type with no shared mutable state).
///
/// ```swift
/// var builder = TimelineBuilder(tasks: tasks, threads: threads, marks: marks, untrackedJobs: jobs, meta: meta)
/// try reader.forEachTransition { builder.add($0) }
/// let timeline = builder.finish()
/// ```
public struct Timeline: Sendable {
    /// Tasks in tree order: each parent directly before its subtree; siblings by creation time, then id.
    public var tasks: [TimelineTask]
    /// All segments, grouped per task in `tasks` order (see `TimelineTask.segments`).
    public var segments: SegmentTable
    /// Marks in time order.
    public var marks: [TimelineMark]
    /// Threads of the trace, by id.
    public var threads: [ThreadRecord]
    /// Jobs that ran on traced threads but belong to no task, clipped to the window, in time order.
    public var untrackedJobs: [UntrackedJobRecord]
    /// The trace's `meta` table.
    public var meta: [String: String]
    /// Start of the shown time range (0, or the window's start), ns.
    public var start: TraceNanos
    /// End of the shown time range: the end of the trace (`max(duration_ns, last timestamp)`) or the window's end.
    public var end: TraceNanos
    /// End of the whole trace, regardless of any window.
    public var traceEnd: TraceNanos
    /// Events the recorder dropped (meta `dropped_events`).
    public var droppedEvents: UInt64
    /// The recorder's integrity counters (dropped, skipped, reordered, reconstructed, late events): every view
    /// shows `integrity.problems` prominently.
    public var integrity: TraceIntegrity
    /// Tasks of the trace left out by the options (filter, window).
    public var omittedTaskCount: Int
    /// Transitions the builder read.
    public var transitionCount: Int
    /// The options the timeline was built with.
    public var options: TimelineOptions

    /// Segments of the task at `taskIndex`, in time order.
    public func segments(ofTask taskIndex: Int) -> some Sequence<TimelineSegment> {
        tasks[taskIndex].segments.lazy.map { segments[$0] }
    }

    /// Number of segments and total time per non-terminal state, over all tasks.
    public func stateTotals() -> [(state: TaskState, segments: Int, nanos: TraceNanos)] {
        var counts = [Int](repeating: 0, count: TaskState.allCases.count)
        var nanos = [TraceNanos](repeating: 0, count: TaskState.allCases.count)
        for index in 0..<segments.count {
            let state = Int(segments.states[index].rawValue)
            counts[state] += 1
            nanos[state] &+= segments.ends[index] - segments.starts[index]
        }
        return TaskState.allCases.filter { !$0.isTerminal }.map { ($0, counts[Int($0.rawValue)], nanos[Int($0.rawValue)]) }
    }

    /// Number of tasks per outcome (`done`, `cancelled`, `errored`, `unfinished`, …), sorted by outcome.
    public func outcomeCounts() -> [(outcome: String, count: Int)] {
        var counts: [String: Int] = [:]
        for task in tasks { counts[task.outcome, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The `limit` tasks with the longest lifetime, longest first (ties by tree order).
    public func slowestTasks(limit: Int) -> [Int] {
        let order = tasks.indices.sorted {
            let (a, b) = (tasks[$0].lifetime, tasks[$1].lifetime)
            return a != b ? a > b : $0 < $1
        }
        return Array(order.prefix(limit))
    }
}
