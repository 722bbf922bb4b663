public import TaskTraceModel

/// Builds a `Timeline` from a trace's rows: small tables up front, transitions streamed one at a time in time
/// order (as `TraceReader.forEachTransition` delivers them), never all held as objects.
///
/// Segment rules: a task's segment runs from each of its transitions to its next one; a terminal state gets
/// no segment (it is the task's `finalState`, drawn as a marker); an unfinished task's last state runs to the
/// end of the trace, `max(meta duration_ns, last timestamp)`. Transitions for a task missing from the `tasks`
/// table create an unnamed task. A transition after a terminal one starts a new segment (bad traces still render).
///
/// Not thread-safe: build on one thread, then share the finished `Timeline`.
public struct TimelineBuilder {
    private struct Pending {
        var lastState: TaskState?
        var lastTimestamp: TraceNanos = 0
        var lastThread: TraceThreadID = 0
        var firstTimestamp: TraceNanos?
        var terminalAt: TraceNanos?
    }

    private var records: [TaskRecord]
    private var indexByID: [TraceTaskID: Int] = [:]
    private var pending: [Pending]
    private var included: [Bool]
    private var raw = SegmentTable()
    private let threads: [ThreadRecord]
    private let marks: [MarkRecord]
    private let untrackedJobs: [UntrackedJobRecord]
    private let meta: [String: String]
    private let options: TimelineOptions
    private let filterText: String?
    private var lastTimestamp: TraceNanos = 0
    private var transitionCount = 0

    /// Starts a timeline from the trace's small tables.
    /// - Parameters:
    ///   - expectedTransitions: a capacity hint (the trace's transition count), or 0.
    public init(
        tasks: [TaskRecord], threads: [ThreadRecord], marks: [MarkRecord], untrackedJobs: [UntrackedJobRecord],
        meta: [String: String], options: TimelineOptions = TimelineOptions(), expectedTransitions: Int = 0
    ) {
        self.records = tasks
        self.threads = threads.sorted { $0.id < $1.id }
        self.marks = marks
        self.untrackedJobs = untrackedJobs
        self.meta = meta
        self.options = options
        let filter = options.nameFilter.map { $0.lowercased() }
        self.filterText = (filter?.isEmpty ?? true) ? nil : filter
        self.pending = Array(repeating: Pending(), count: tasks.count)
        self.included = Array(repeating: true, count: tasks.count)
        for (index, task) in tasks.enumerated() { indexByID[task.id] = index }
        if let filterText { markFilteredTasks(filterText) }
        raw.reserveCapacity(expectedTransitions)
    }

    /// Keeps tasks whose name matches, and their ancestors.
    private mutating func markFilteredTasks(_ text: String) {
        for index in records.indices { included[index] = false }
        for index in records.indices where (records[index].name ?? "").lowercased().contains(text) {
            // Walk up to the root, stopping at the first task already included: each task is visited once
            // overall, so the walk is linear even when a damaged trace has parent cycles.
            var current: Int? = index
            while let at = current, !included[at] {
                included[at] = true
                current = records[at].parentID.flatMap { indexByID[$0] }
            }
        }
    }

    /// Adds one transition. Feed them in time order (ties in recorded order).
    public mutating func add(_ transition: TransitionRecord) {
        // Timestamps past `TraceFormat.maxTimestamp` only come from damaged files; clamping keeps all later
        // arithmetic (segment ends, axis ticks, formatting) far from overflow.
        var transition = transition
        transition.timestamp = min(transition.timestamp, TraceFormat.maxTimestamp)
        transitionCount += 1
        lastTimestamp = max(lastTimestamp, transition.timestamp)
        let index: Int
        if let known = indexByID[transition.taskID] {
            index = known
        } else {
            index = records.count
            records.append(TaskRecord(id: transition.taskID))
            indexByID[transition.taskID] = index
            pending.append(Pending())
            included.append(filterText == nil)
        }
        guard included[index] else { return }
        var state = pending[index]
        if let previous = state.lastState, !previous.isTerminal {
            let end = max(transition.timestamp, state.lastTimestamp)
            raw.append(
                task: UInt32(index), start: state.lastTimestamp, end: end, state: previous, thread: state.lastThread
            )
        }
        if state.firstTimestamp == nil { state.firstTimestamp = transition.timestamp }
        state.lastState = transition.state
        state.lastTimestamp = max(transition.timestamp, state.lastTimestamp)
        state.lastThread = transition.threadID
        state.terminalAt = transition.state.isTerminal ? state.lastTimestamp : nil
        pending[index] = state
    }

    /// Closes open tasks at the end of the trace, applies the window, orders the tree and returns the model.
    public consuming func finish() -> Timeline {
        var traceEnd = lastTimestamp
        if let duration = meta[MetaKey.durationNs].flatMap(TraceNanos.init) {
            traceEnd = max(traceEnd, min(duration, TraceFormat.maxTimestamp))
        }
        for job in untrackedJobs { traceEnd = max(traceEnd, job.end) }
        for mark in marks { traceEnd = max(traceEnd, mark.timestamp) }

        for index in records.indices where included[index] {
            let state = pending[index]
            if let last = state.lastState, !last.isTerminal {
                raw.append(
                    task: UInt32(index), start: state.lastTimestamp, end: traceEnd, state: last,
                    thread: state.lastThread
                )
            }
        }

        let windowStart = options.from ?? 0
        let windowEnd = max(windowStart, min(options.to ?? traceEnd, traceEnd))
        let windowed = options.from != nil || options.to != nil
        var clipped = SegmentTable()
        clipped.reserveCapacity(raw.count)
        var hasTime = [Bool](repeating: false, count: records.count)
        for row in 0..<raw.count {
            let start = raw.starts[row]
            let end = raw.ends[row]
            guard !windowed || (end >= windowStart && start <= windowEnd) else { continue }
            let task = Int(raw.taskIndices[row])
            hasTime[task] = true
            clipped.append(
                task: UInt32(task), start: max(start, windowStart), end: min(end, windowEnd),
                state: raw.states[row], thread: raw.threads[row]
            )
        }
        raw = SegmentTable()
        if windowed {
            for index in records.indices where included[index] {
                let keep = hasTime[index] || pending[index].firstTimestamp.map { $0 >= windowStart && $0 <= windowEnd } ?? false
                if !keep { included[index] = false }
            }
            // Ancestors of kept tasks stay, so the tree has no holes.
            for index in records.indices where included[index] {
                var current = records[index].parentID.flatMap { indexByID[$0] }
                var steps = 0
                while let at = current, !included[at], steps <= records.count {
                    included[at] = true
                    current = records[at].parentID.flatMap { indexByID[$0] }
                    steps += 1
                }
            }
        }

        let order = treeOrder()
        var treeIndexOf = [UInt32](repeating: UInt32.max, count: records.count)
        for (position, record) in order.enumerated() { treeIndexOf[record] = UInt32(position) }

        // Stable counting sort of segments by tree position keeps each task's segments in time order.
        var firstRow = [Int](repeating: 0, count: order.count + 1)
        for row in 0..<clipped.count { firstRow[Int(treeIndexOf[Int(clipped.taskIndices[row])]) + 1] += 1 }
        for position in 0..<order.count { firstRow[position + 1] += firstRow[position] }
        var cursor = firstRow
        var permutation = [Int](repeating: 0, count: clipped.count)
        for row in 0..<clipped.count {
            let position = Int(treeIndexOf[Int(clipped.taskIndices[row])])
            permutation[cursor[position]] = row
            cursor[position] += 1
        }
        let segments = clipped.permuted(permutation, taskMap: treeIndexOf)

        var tasks: [TimelineTask] = []
        tasks.reserveCapacity(order.count)
        for (position, recordIndex) in order.enumerated() {
            let record = records[recordIndex]
            let state = pending[recordIndex]
            // A parent is linked only when it precedes the task (always, except in a corrupt parent cycle).
            let parentIndex = record.parentID.flatMap { indexByID[$0] }
                .flatMap { Int(treeIndexOf[$0]) < position ? Int(treeIndexOf[$0]) : nil }
            let unfinished = state.lastState.map { !$0.isTerminal } ?? false
            var task = TimelineTask(
                id: record.id, parentID: record.parentID, parentIndex: parentIndex, name: record.name,
                kind: record.kind, file: record.file, line: record.line, error: record.error,
                depth: parentIndex.map { tasks[$0].depth + 1 } ?? 0, childCount: 0, descendantCount: 0,
                createdAt: state.firstTimestamp, endedAt: state.terminalAt ?? (state.lastState == nil ? nil : traceEnd),
                finalState: state.lastState, isUnfinished: unfinished,
                segments: firstRow[position]..<firstRow[position + 1]
            )
            for row in task.segments {
                let duration = segments.ends[row] - segments.starts[row]
                switch segments.states[row] {
                case .created: task.created += duration
                case .scheduled: task.scheduled += duration
                case .running:
                    task.running += duration
                    task.jobCount += 1
                case .suspended: task.suspended += duration
                default: break
                }
            }
            tasks.append(task)
        }
        for position in tasks.indices.reversed() {
            if let parent = tasks[position].parentIndex {
                tasks[parent].childCount += 1
                tasks[parent].descendantCount += 1 + tasks[position].descendantCount
            }
        }

        var timelineMarks: [TimelineMark] = []
        for mark in marks where !windowed || (mark.timestamp >= windowStart && mark.timestamp <= windowEnd) {
            var taskIndex: Int?
            if let id = mark.taskID {
                guard let record = indexByID[id], treeIndexOf[record] != UInt32.max else { continue }
                taskIndex = Int(treeIndexOf[record])
            } else if filterText != nil {
                continue
            }
            timelineMarks.append(TimelineMark(taskIndex: taskIndex, timestamp: mark.timestamp, kind: mark.kind, detail: mark.detail))
        }
        timelineMarks.sort { ($0.timestamp, $0.taskIndex ?? -1) < ($1.timestamp, $1.taskIndex ?? -1) }
        for mark in timelineMarks where mark.kind == MarkKind.inferredOutcome {
            if let index = mark.taskIndex { tasks[index].outcomeInferred = true }
        }

        var jobs: [UntrackedJobRecord] = []
        for job in untrackedJobs where !windowed || (job.end >= windowStart && job.start <= windowEnd) {
            jobs.append(UntrackedJobRecord(threadID: job.threadID, start: max(job.start, windowStart), end: min(job.end, windowEnd)))
        }
        jobs.sort { ($0.start, $0.threadID, $0.end) < ($1.start, $1.threadID, $1.end) }

        return Timeline(
            tasks: tasks, segments: segments, marks: timelineMarks, threads: threads, untrackedJobs: jobs,
            meta: meta, start: windowed ? windowStart : 0, end: windowed ? windowEnd : traceEnd, traceEnd: traceEnd,
            droppedEvents: meta[MetaKey.droppedEvents].flatMap(UInt64.init) ?? 0, integrity: TraceIntegrity(meta: meta),
            omittedTaskCount: records.count - order.count, transitionCount: transitionCount, options: options
        )
    }

    /// Record indices of included tasks in tree order (iterative depth-first; siblings by creation, then id).
    private func treeOrder() -> [Int] {
        var children = [[Int]](repeating: [], count: records.count)
        var roots: [Int] = []
        for index in records.indices where included[index] {
            if let parentID = records[index].parentID, let parent = indexByID[parentID], included[parent], parent != index {
                children[parent].append(index)
            } else {
                roots.append(index)
            }
        }
        func sortKey(_ index: Int) -> (TraceNanos, TraceTaskID) {
            (pending[index].firstTimestamp ?? TraceNanos.max, records[index].id)
        }
        var order: [Int] = []
        var visited = [Bool](repeating: false, count: records.count)
        var stack = roots.sorted { sortKey($0) > sortKey($1) }
        while let next = stack.popLast() {
            guard !visited[next] else { continue }
            visited[next] = true
            order.append(next)
            stack.append(contentsOf: children[next].sorted { sortKey($0) > sortKey($1) })
        }
        // Tasks caught in a parent cycle are unreachable from any root: append them as roots.
        for index in records.indices where included[index] && !visited[index] {
            var cycleStack = [index]
            while let next = cycleStack.popLast() {
                guard !visited[next] else { continue }
                visited[next] = true
                order.append(next)
                cycleStack.append(contentsOf: children[next].sorted { sortKey($0) > sortKey($1) })
            }
        }
        return order
    }
}
