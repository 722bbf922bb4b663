public import TaskTraceModel

/// State segments stored column by column (struct of arrays): 25 bytes per segment and no object per segment,
/// so a trace of millions of transitions fits in a few arrays.
///
/// In a finished `Timeline` the rows are grouped by task in tree order and, within a task, in time order;
/// `TimelineTask.segments` is each task's range. Segments of one task touch end to start and never overlap.
///
/// Thread-safe to read (a value type); mutate from one thread.
public struct SegmentTable: Sendable, Hashable {
    public private(set) var starts: [TraceNanos] = []
    public private(set) var ends: [TraceNanos] = []
    public private(set) var states: [TaskState] = []
    /// The worker thread for `running` segments, 0 when none.
    public private(set) var threads: [TraceThreadID] = []
    /// Index of the owning task: into the builder's records while building, into `Timeline.tasks` when finished.
    public private(set) var taskIndices: [UInt32] = []

    public init() {}

    /// Number of segments.
    public var count: Int { starts.count }

    /// Reserves room for `capacity` segments.
    public mutating func reserveCapacity(_ capacity: Int) {
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        states.reserveCapacity(capacity)
        threads.reserveCapacity(capacity)
        taskIndices.reserveCapacity(capacity)
    }

    /// Appends one segment.
    public mutating func append(
        task: UInt32, start: TraceNanos, end: TraceNanos, state: TaskState, thread: TraceThreadID
    ) {
        starts.append(start)
        ends.append(end)
        states.append(state)
        threads.append(thread)
        taskIndices.append(task)
    }

    /// One segment as a value.
    public subscript(index: Int) -> TimelineSegment {
        TimelineSegment(
            start: starts[index], end: ends[index], state: states[index], thread: threads[index],
            taskIndex: Int(taskIndices[index])
        )
    }

    /// A copy with rows reordered by `order` (a permutation of `0..<count`) and task indices mapped by `taskMap`.
    func permuted(_ order: [Int], taskMap: [UInt32]) -> SegmentTable {
        var result = SegmentTable()
        result.reserveCapacity(order.count)
        for index in order {
            result.append(
                task: taskMap[Int(taskIndices[index])], start: starts[index], end: ends[index],
                state: states[index], thread: threads[index]
            )
        }
        return result
    }
}

/// One state segment `[start, end)` of one task, read from a `SegmentTable`.
///
/// Thread-safe (a value type).
public struct TimelineSegment: Sendable, Hashable {
    public var start: TraceNanos
    public var end: TraceNanos
    public var state: TaskState
    /// The worker thread for `running`, 0 when none.
    public var thread: TraceThreadID
    /// Index into `Timeline.tasks`.
    public var taskIndex: Int

    public var duration: TraceNanos { end - start }
}
