import TaskTraceModel

extension LintContext {
    /// A task that waited in the queue at least `starvationThreshold` before its job ran. One finding per task,
    /// at its longest such wait; it names the blocking job that overlapped the wait, if any, or how many jobs of
    /// other tasks ran on the workers meanwhile.
    func starvation() -> [Finding] {
        let segments = timeline.segments
        // Sorted starts and ends of every job, to count the jobs overlapping a wait with two binary searches.
        var jobStarts: [TraceNanos] = []
        var jobEnds: [TraceNanos] = []
        for row in 0..<segments.count where segments.states[row] == .running {
            jobStarts.append(segments.starts[row])
            jobEnds.append(segments.ends[row])
        }
        jobStarts.sort()
        jobEnds.sort()
        func countBelow(_ values: [TraceNanos], _ limit: TraceNanos, inclusive: Bool) -> Int {
            var low = 0
            var high = values.count
            while low < high {
                let middle = (low + high) / 2
                if values[middle] < limit || (inclusive && values[middle] == limit) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low
        }
        let workers = timeline.threads.filter { $0.kind == .worker }.count
        var findings: [Finding] = []
        for (index, task) in timeline.tasks.enumerated() {
            var longest: Int?
            var count = 0
            for row in task.segments where segments.states[row] == .scheduled {
                // Only waits that ended with the job running: the open wait of an unfinished task is not one.
                guard row + 1 < task.segments.upperBound, segments.states[row + 1] == .running else { continue }
                let wait = segments.ends[row] &- segments.starts[row]
                guard wait >= options.starvationThreshold else { continue }
                count += 1
                if longest.map({ wait > segments.ends[$0] &- segments.starts[$0] }) ?? true { longest = row }
            }
            guard let row = longest else { continue }
            let start = segments.starts[row]
            let end = segments.ends[row]
            var message = "It waited \(Self.text(end - start)) in the queue for a worker, from \(Self.text(start))"
            if count > 1 { message += " (\(count) waits of at least \(Self.text(options.starvationThreshold)))" }
            let blockers = blockingRows.filter {
                segments.starts[$0] < end && segments.ends[$0] > start && Int(segments.taskIndices[$0]) != index
            }
            if let blocker = blockers.max(by: { overlap($0, start, end) < overlap($1, start, end) }) {
                let owner = timeline.tasks[Int(segments.taskIndices[blocker])]
                message +=
                    "; \(owner.displayName) held \(threadName(segments.threads[blocker])) in one "
                    + "\(Self.text(segments.ends[blocker] - segments.starts[blocker])) job during that time."
            } else {
                let overlapping =
                    countBelow(jobStarts, end, inclusive: false) - countBelow(jobEnds, start, inclusive: true)
                message +=
                    "; \(max(0, overlapping)) jobs of other tasks ran meanwhile"
                    + (workers > 0 ? " on \(workers) worker\(workers == 1 ? "" : "s")." : ".")
            }
            findings.append(
                Finding(
                    rule: .starvation, severity: .warning, taskIndex: index, task: task, time: start,
                    duration: end - start, message: message,
                    suggestion: "Fix the job that held the worker if one did; otherwise add workers or bound how many "
                        + "tasks are started at once (a semaphore or a bounded task group).",
                    relatedTaskIDs: blockers.map { timeline.tasks[Int(segments.taskIndices[$0])].id }
                )
            )
        }
        return findings
    }

    private func overlap(_ row: Int, _ start: TraceNanos, _ end: TraceNanos) -> TraceNanos {
        let segments = timeline.segments
        let from = max(segments.starts[row], start)
        let to = min(segments.ends[row], end)
        return to > from ? to - from : 0
    }
}
