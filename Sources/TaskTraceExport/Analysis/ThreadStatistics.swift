public import TaskTraceModel

/// How busy one thread was: jobs of known tasks plus untracked jobs (default actors' jobs), over the timeline's
/// span. Thread-safe (a value type).
public struct ThreadStatistics: Sendable, Hashable {
    public var id: TraceThreadID
    /// The thread's name, or `thread #id` when the trace does not list it.
    public var name: String
    public var kind: ThreadKind?
    /// Jobs of tasks the trace knows, and their total time.
    public var jobs: Int
    public var busy: TraceNanos
    /// Jobs that belong to no known task (default actors), and their total time.
    public var untrackedJobs: Int
    public var untrackedBusy: TraceNanos
    /// The span the utilisation is measured over (`Timeline.end - Timeline.start`).
    public var span: TraceNanos

    /// `(busy + untrackedBusy) / span` in per mille (0…1000), integer so output is exact and stable.
    public var utilisationPerMille: Int {
        guard span > 0 else { return 0 }
        let total = Double(busy &+ untrackedBusy) / Double(span)
        return Int((min(total, 1) * 1000).rounded())
    }
}

extension Timeline {
    /// Statistics per thread that ran something or is a worker, by thread id.
    public func threadStatistics() -> [ThreadStatistics] {
        var byID: [TraceThreadID: ThreadStatistics] = [:]
        let span = end > start ? end - start : 0
        func entry(_ id: TraceThreadID) -> ThreadStatistics {
            byID[id]
                ?? ThreadStatistics(
                    id: id, name: "thread #\(id)", kind: nil, jobs: 0, busy: 0, untrackedJobs: 0, untrackedBusy: 0,
                    span: span
                )
        }
        for thread in threads where thread.kind == .worker {
            var stats = entry(thread.id)
            stats.name = thread.name
            stats.kind = thread.kind
            byID[thread.id] = stats
        }
        for row in 0..<segments.count where segments.states[row] == .running && segments.threads[row] != 0 {
            var stats = entry(segments.threads[row])
            stats.jobs += 1
            stats.busy &+= segments.ends[row] &- segments.starts[row]
            byID[stats.id] = stats
        }
        for job in untrackedJobs {
            var stats = entry(job.threadID)
            stats.untrackedJobs += 1
            stats.untrackedBusy &+= job.end >= job.start ? job.end - job.start : 0
            byID[stats.id] = stats
        }
        for thread in threads {
            guard var stats = byID[thread.id] else { continue }
            stats.name = thread.name
            stats.kind = thread.kind
            byID[thread.id] = stats
        }
        return byID.values.sorted { $0.id < $1.id }
    }
}
