import TaskTraceModel

/// Who woke whom, from the trace's evidence: a task's `suspended → scheduled` transition carries the thread that
/// enqueued it, and the job running on that thread at that moment is the waker. When a task ends, Swift enqueues
/// the tasks awaiting it from inside its final job (and the runtime's helpers resume their waiters there too), so
/// "woken during X's last job, from X's thread" is how an await of X's result looks in a trace. A wake with no
/// thread came from outside the traced threads: a timer (`Task.sleep`), I/O, a Dispatch queue.
///
/// Built once per timeline in O(segments log segments). Thread-safe to read (a value type).
struct WakeIndex {
    /// One wake: task `wokenTask` was enqueued at `time` from `thread` after being suspended.
    struct Wake {
        var time: TraceNanos
        var thread: TraceThreadID
        var wokenTask: Int
        /// Row of the `scheduled` segment that the wake starts.
        var row: Int
    }

    /// Running segments per thread, sorted by start: (start, end, task index).
    private var jobsByThread: [TraceThreadID: [(start: TraceNanos, end: TraceNanos, task: Int)]] = [:]
    /// Wakes per thread, sorted by time.
    private var wakesByThread: [TraceThreadID: [Wake]] = [:]

    init(_ timeline: Timeline) {
        let segments = timeline.segments
        for (taskIndex, task) in timeline.tasks.enumerated() {
            var previous: TaskState?
            for row in task.segments {
                let state = segments.states[row]
                let thread = segments.threads[row]
                if state == .running, thread != 0 {
                    jobsByThread[thread, default: []].append((segments.starts[row], segments.ends[row], taskIndex))
                } else if state == .scheduled, previous == .suspended, thread != 0 {
                    wakesByThread[thread, default: []].append(
                        Wake(time: segments.starts[row], thread: thread, wokenTask: taskIndex, row: row))
                }
                previous = state
            }
        }
        for key in jobsByThread.keys { jobsByThread[key]?.sort { ($0.start, $0.end) < ($1.start, $1.end) } }
        for key in wakesByThread.keys { wakesByThread[key]?.sort { ($0.time, $0.wokenTask) < ($1.time, $1.wokenTask) } }
    }

    /// The task whose job ran on `thread` at `time` (the job starting last at or before `time` and still running
    /// then), or nil.
    func taskRunning(on thread: TraceThreadID, at time: TraceNanos) -> Int? {
        guard thread != 0, let jobs = jobsByThread[thread], !jobs.isEmpty else { return nil }
        var low = 0
        var high = jobs.count
        while low < high {
            let middle = (low + high) / 2
            if jobs[middle].start <= time { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let job = jobs[low - 1]
        return job.end >= time ? job.task : nil
    }

    /// The task that woke the task whose `scheduled` segment is `row` (it must follow a `suspended` one), or nil
    /// when the wake came from outside the traced threads.
    func waker(ofScheduledRow row: Int, in timeline: Timeline) -> Int? {
        let thread = timeline.segments.threads[row]
        let wakee = Int(timeline.segments.taskIndices[row])
        guard let task = taskRunning(on: thread, at: timeline.segments.starts[row]), task != wakee else { return nil }
        return task
    }

    /// Tasks other than `exclude` woken from `thread` within `[from, to]`.
    func wakes(on thread: TraceThreadID, from: TraceNanos, to: TraceNanos, excluding exclude: Int) -> [Wake] {
        guard let wakes = wakesByThread[thread] else { return [] }
        var low = 0
        var high = wakes.count
        while low < high {
            let middle = (low + high) / 2
            if wakes[middle].time < from { low = middle + 1 } else { high = middle }
        }
        var result: [Wake] = []
        var index = low
        while index < wakes.count, wakes[index].time <= to {
            if wakes[index].wokenTask != exclude { result.append(wakes[index]) }
            index += 1
        }
        return result
    }
}
