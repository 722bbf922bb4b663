import TaskTraceModel

/// What every lint needs from one timeline, computed once: the options, the wake evidence, marks per task,
/// thread kinds and the long jobs. Not thread-safe (built and used by one `Timeline.findings(options:)` call).
struct LintContext {
    let timeline: Timeline
    let options: LintOptions
    let wakes: WakeIndex
    let indexByID: [TraceTaskID: Int]
    let threadKinds: [TraceThreadID: ThreadKind]
    let threadNames: [TraceThreadID: String]
    /// Marks per task index, in time order.
    let marksByTask: [[TimelineMark]]
    /// Running segments at least `blockingThreshold` long on threads that are not the blocking pool, by start.
    let blockingRows: [Int]
    /// True when the recording did not end normally (no `ended_unix_ns`): open tasks may have ended later.
    let cutShort: Bool

    init(_ timeline: Timeline, options: LintOptions) {
        self.timeline = timeline
        self.options = options
        wakes = WakeIndex(timeline)
        var indexByID: [TraceTaskID: Int] = [:]
        for (index, task) in timeline.tasks.enumerated() { indexByID[task.id] = index }
        self.indexByID = indexByID
        var kinds: [TraceThreadID: ThreadKind] = [:]
        var names: [TraceThreadID: String] = [:]
        for thread in timeline.threads {
            kinds[thread.id] = thread.kind
            names[thread.id] = thread.name
        }
        threadKinds = kinds
        threadNames = names
        var marks = [[TimelineMark]](repeating: [], count: timeline.tasks.count)
        for mark in timeline.marks {
            if let index = mark.taskIndex { marks[index].append(mark) }
        }
        marksByTask = marks
        let segments = timeline.segments
        var rows: [Int] = []
        for row in 0..<segments.count where segments.states[row] == .running {
            guard segments.ends[row] &- segments.starts[row] >= options.blockingThreshold else { continue }
            guard threadKinds[segments.threads[row]] != .blocking,
                timeline.tasks[Int(segments.taskIndices[row])].kind != .blocking
            else { continue }
            rows.append(row)
        }
        blockingRows = rows.sorted { segments.starts[$0] < segments.starts[$1] }
        cutShort = timeline.meta[MetaKey.endedUnixNs] == nil
    }

    /// `tasktrace-worker-1`, or `thread #3` when the trace does not name it.
    func threadName(_ id: TraceThreadID) -> String {
        threadNames[id] ?? (id == 0 ? "an unknown thread" : "thread #\(id)")
    }

    /// The state the task was in just before `time` (its segment covering it), or nil.
    func state(ofTask index: Int, at time: TraceNanos) -> TaskState? {
        let rows = timeline.tasks[index].segments
        let segments = timeline.segments
        var low = rows.lowerBound
        var high = rows.upperBound
        while low < high {
            let middle = (low + high) / 2
            if segments.starts[middle] < time { low = middle + 1 } else { high = middle }
        }
        guard low > rows.lowerBound else { return nil }
        return segments.ends[low - 1] >= time ? segments.states[low - 1] : nil
    }

    /// Duration as people read it: `120ms`, `1.5s`.
    static func text(_ nanos: TraceNanos) -> String { TraceTimeText.format(nanos) }

    /// A list of names, shortened after `limit`: `a, b, c and 4 more`.
    static func list(_ names: [String], limit: Int = 3) -> String {
        guard names.count > limit else { return names.joined(separator: ", ") }
        return names.prefix(limit).joined(separator: ", ") + " and \(names.count - limit) more"
    }
}
