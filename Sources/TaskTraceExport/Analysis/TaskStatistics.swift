public import TaskTraceModel

/// What one task did over its life, as a task manager shows it: where its time went and how it was run.
///
/// The four parts add up exactly to the lifetime: `created + scheduled + running + suspended == lifetime`
/// (an unfinished task counts to the end of the trace). Thread-safe (a value type).
public struct TaskStatistics: Sendable, Hashable {
    /// Index into `Timeline.tasks`.
    public var taskIndex: Int
    public var id: TraceTaskID
    /// From the first transition (created) to the end (terminal transition, or the end of the trace).
    public var lifetime: TraceNanos
    /// Between creation and the first enqueue (usually 0).
    public var created: TraceNanos
    /// Waiting in the queue for a worker (queue latency).
    public var scheduled: TraceNanos
    /// On a worker thread (busy).
    public var running: TraceNanos
    /// Awaiting something (idle).
    public var suspended: TraceNanos
    /// Jobs executed (tokio-console's polls).
    public var jobs: Int
    /// From creation to the start of the first job; nil when it never ran.
    public var timeToFirstRun: TraceNanos?
    /// The longest single job.
    public var longestJob: TraceNanos
    /// The longest single wait in the queue.
    public var longestQueueWait: TraceNanos
}

extension Timeline {
    /// Statistics of the task at `index`, computed from its segments.
    ///
    /// Meant for a whole trace (no `--from/--to` window): with a window, the parts are clipped to it while the
    /// lifetime is not, so they no longer add up.
    public func statistics(ofTask index: Int) -> TaskStatistics {
        let task = tasks[index]
        var result = TaskStatistics(
            taskIndex: index, id: task.id, lifetime: task.lifetime, created: 0, scheduled: 0, running: 0,
            suspended: 0, jobs: 0, timeToFirstRun: nil, longestJob: 0, longestQueueWait: 0
        )
        for row in task.segments {
            let start = segments.starts[row]
            let duration = segments.ends[row] &- start
            switch segments.states[row] {
            case .created: result.created &+= duration
            case .scheduled:
                result.scheduled &+= duration
                result.longestQueueWait = max(result.longestQueueWait, duration)
            case .running:
                result.running &+= duration
                result.jobs += 1
                result.longestJob = max(result.longestJob, duration)
                if result.timeToFirstRun == nil, let created = task.createdAt {
                    result.timeToFirstRun = start >= created ? start - created : 0
                }
            case .suspended: result.suspended &+= duration
            case .done, .cancelled, .errored: break
            }
        }
        return result
    }

    /// Statistics of every task, in `tasks` order. Linear in the number of segments.
    public func taskStatistics() -> [TaskStatistics] {
        tasks.indices.map { statistics(ofTask: $0) }
    }
}
