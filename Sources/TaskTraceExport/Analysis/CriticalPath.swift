public import TaskTraceModel

/// The chain of tasks whose completion decided when a task finished, with each one's share of the time and
/// where it waited.
///
/// Found by walking back in time from the task's end (see `Timeline.criticalPath(ofTask:)`): through its own
/// segments; at a wait that another task's job ended (a `suspended → scheduled` wake enqueued from that job's
/// thread, see `WakeIndex`) into that task; at a task's creation back into its parent, which was running then.
/// Waits with no waker in the trace (sleeps, timers, I/O) stay on the task that waited. The steps tile
/// `[start, end]` exactly.
///
/// Thread-safe (a value type).
public struct CriticalPath: Sendable, Hashable {
    /// One piece of the path: task `taskIndex` in `state` during `[start, end)`.
    public struct Step: Sendable, Hashable {
        public var taskIndex: Int
        public var start: TraceNanos
        public var end: TraceNanos
        /// `running`, `scheduled` (queued for a worker), `suspended` (waiting on something outside the trace:
        /// a sleep, a timer, I/O) or `created`.
        public var state: TaskState
    }

    /// One task's part of the path.
    public struct Share: Sendable, Hashable {
        public var taskIndex: Int
        /// Time of the path spent in this task, and how: running, queued (scheduled or created), waiting outside
        /// the trace (suspended with no waker).
        public var time: TraceNanos
        public var running: TraceNanos
        public var queued: TraceNanos
        public var waiting: TraceNanos
        /// The tasks whose completion (or job) this task's path went into: what it waited for.
        public var waitedFor: [Int]
        /// `time / path length` in per mille (0…1000), integer so output is exact and stable.
        public var perMille: Int
    }

    /// The task whose end is explained.
    public var taskIndex: Int
    public var start: TraceNanos
    public var end: TraceNanos
    /// In time order.
    public var steps: [Step]
    /// One per task on the path, in order of first appearance.
    public var shares: [Share]

    public var duration: TraceNanos { end >= start ? end - start : 0 }

    /// The tasks of the chain in order of first appearance (`shares`' tasks).
    public var chain: [Int] { shares.map(\.taskIndex) }
}

extension Timeline {
    /// The critical path of every root task (tasks without a parent in the timeline), in tree order.
    public func criticalPaths() -> [CriticalPath] {
        let wakes = WakeIndex(self)
        return tasks.indices.filter { tasks[$0].parentIndex == nil }.compactMap {
            criticalPath(ofTask: $0, wakes: wakes)
        }
    }

    /// The critical path of the task at `index`, or nil when it has no segments.
    public func criticalPath(ofTask index: Int) -> CriticalPath? {
        criticalPath(ofTask: index, wakes: WakeIndex(self))
    }

    func criticalPath(ofTask target: Int, wakes: WakeIndex) -> CriticalPath? {
        let rows = tasks[target].segments
        guard let firstRow = rows.first, let lastRow = rows.last else { return nil }
        let lowerBound = segments.starts[firstRow]
        let upperBound = max(tasks[target].endedAt ?? segments.ends[lastRow], segments.ends[lastRow])
        var steps: [CriticalPath.Step] = []
        var handoffs: [(from: Int, to: Int)] = []
        var current = target
        var time = upperBound
        // Every iteration either consumes part of a segment or moves to another task at the same time; the bound
        // only protects against damaged traces (parent cycles).
        var budget = 2 * segments.count + 2 * tasks.count + 8
        while time > lowerBound, budget > 0 {
            budget -= 1
            guard let row = segmentBefore(time, ofTask: current) else {
                // Reached the task's creation: its parent was running then and spawned it.
                guard current != target, let parent = tasks[current].parentIndex else { break }
                current = parent
                continue
            }
            let start = max(segments.starts[row], lowerBound)
            let state = segments.states[row]
            if state == .suspended, segments.ends[row] == time, row + 1 < tasks[current].segments.upperBound,
                let waker = wakes.waker(ofScheduledRow: row + 1, in: self)
            {
                handoffs.append((current, waker))
                current = waker
                continue
            }
            steps.append(CriticalPath.Step(taskIndex: current, start: start, end: time, state: state))
            time = start
        }
        if time > lowerBound {
            // Nothing more is known (a damaged trace): the rest stays with the task itself.
            steps.append(CriticalPath.Step(taskIndex: target, start: lowerBound, end: time, state: .created))
        }
        steps.reverse()
        return CriticalPath(
            taskIndex: target, start: lowerBound, end: upperBound, steps: Self.merged(steps),
            shares: Self.shares(steps, handoffs: handoffs, total: upperBound - lowerBound)
        )
    }

    /// The last segment of `task` that starts before `time` and covers the moment just before it.
    private func segmentBefore(_ time: TraceNanos, ofTask task: Int) -> Int? {
        let rows = tasks[task].segments
        var low = rows.lowerBound
        var high = rows.upperBound
        while low < high {
            let middle = (low + high) / 2
            if segments.starts[middle] < time { low = middle + 1 } else { high = middle }
        }
        guard low > rows.lowerBound, segments.ends[low - 1] >= time || low == rows.upperBound else { return nil }
        return low - 1
    }

    /// Joins adjacent steps of the same task and state.
    private static func merged(_ steps: [CriticalPath.Step]) -> [CriticalPath.Step] {
        var result: [CriticalPath.Step] = []
        for step in steps where step.end > step.start {
            if var last = result.last, last.taskIndex == step.taskIndex, last.state == step.state,
                last.end == step.start
            {
                last.end = step.end
                result[result.count - 1] = last
            } else {
                result.append(step)
            }
        }
        return result
    }

    private static func shares(
        _ steps: [CriticalPath.Step], handoffs: [(from: Int, to: Int)], total: TraceNanos
    ) -> [CriticalPath.Share] {
        var order: [Int] = []
        var byTask: [Int: CriticalPath.Share] = [:]
        func touch(_ task: Int) {
            if byTask[task] == nil {
                order.append(task)
                byTask[task] = CriticalPath.Share(
                    taskIndex: task, time: 0, running: 0, queued: 0, waiting: 0, waitedFor: [], perMille: 0)
            }
        }
        for step in steps {
            touch(step.taskIndex)
            let length = step.end - step.start
            byTask[step.taskIndex]?.time &+= length
            switch step.state {
            case .running: byTask[step.taskIndex]?.running &+= length
            case .suspended: byTask[step.taskIndex]?.waiting &+= length
            default: byTask[step.taskIndex]?.queued &+= length
            }
        }
        for handoff in handoffs.reversed() where byTask[handoff.from] != nil && byTask[handoff.to] != nil {
            if byTask[handoff.from]?.waitedFor.contains(handoff.to) == false {
                byTask[handoff.from]?.waitedFor.append(handoff.to)
            }
        }
        return order.compactMap { task in
            guard var share = byTask[task] else { return nil }
            share.perMille = total == 0 ? 0 : Int((Double(share.time) / Double(total) * 1000).rounded())
            return share
        }
    }
}
