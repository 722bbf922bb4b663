import TaskTraceModel

extension LintContext {
    /// A single job at least `blockingThreshold` long on a worker: it held the thread, and every task queued
    /// meanwhile waited for it. Jobs on the blocking pool (`toThread`) are exempt: that is what the pool is for.
    func blockingJobs() -> [Finding] {
        guard !blockingRows.isEmpty else { return [] }
        let segments = timeline.segments
        // Queue waits by start, with the longest one, so each blocking job scans only waits that can overlap it.
        var waits: [Int] = []
        var longestWait: TraceNanos = 0
        for row in 0..<segments.count where segments.states[row] == .scheduled {
            waits.append(row)
            longestWait = max(longestWait, segments.ends[row] &- segments.starts[row])
        }
        waits.sort { segments.starts[$0] < segments.starts[$1] }
        return blockingRows.map { row in
            let start = segments.starts[row]
            let end = segments.ends[row]
            let taskIndex = Int(segments.taskIndices[row])
            let earliest = start > longestWait ? start - longestWait : 0
            var low = 0
            var high = waits.count
            while low < high {
                let middle = (low + high) / 2
                if segments.starts[waits[middle]] < earliest { low = middle + 1 } else { high = middle }
            }
            var delay: [Int: TraceNanos] = [:]
            var index = low
            while index < waits.count, segments.starts[waits[index]] < end {
                let wait = waits[index]
                let waiter = Int(segments.taskIndices[wait])
                let overlapStart = max(segments.starts[wait], start)
                let overlapEnd = min(segments.ends[wait], end)
                // Tasks the job itself woke (enqueued from its thread while it ran) were not queued behind it.
                let wokenByIt = segments.threads[wait] == segments.threads[row] && segments.starts[wait] >= start
                if waiter != taskIndex, !wokenByIt, overlapEnd > overlapStart {
                    delay[waiter, default: 0] &+= overlapEnd - overlapStart
                }
                index += 1
            }
            let delayed = delay.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let duration = end - start
            var message =
                "One job ran for \(Self.text(duration)) on \(threadName(segments.threads[row])) without "
                + "giving the thread back"
            if delayed.isEmpty {
                message += "; no other task happened to be waiting for a worker meanwhile."
            } else {
                let total = delayed.reduce(TraceNanos(0)) { $0 &+ $1.value }
                let names = delayed.map { timeline.tasks[$0.key].displayName }
                message +=
                    "; \(delayed.count) other task\(delayed.count == 1 ? "" : "s") (\(Self.list(names))) "
                    + "waited in the queue meanwhile, delayed by up to \(Self.text(delayed[0].value))"
                    + " (\(Self.text(total)) in all)."
            }
            return Finding(
                rule: .blockingJob, severity: .warning, taskIndex: taskIndex, task: timeline.tasks[taskIndex],
                time: start, duration: duration, message: message,
                suggestion: "Move the blocking call to `runtime.toThread { … }`, or split the work and "
                    + "`await Task.yield()` between parts, so the worker can run the other tasks.",
                relatedTaskIDs: delayed.prefix(20).map { timeline.tasks[$0.key].id }
            )
        }
    }
}
