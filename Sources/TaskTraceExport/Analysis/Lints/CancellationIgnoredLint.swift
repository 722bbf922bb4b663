import TaskTraceModel

extension LintContext {
    /// A task that kept running or queued for at least `cancellationThreshold` after its cancellation was
    /// requested. The request is its own `cancel_requested` mark, or, for a group child or `async let` (which Swift
    /// cancels with their parent), the earliest request on a structured ancestor.
    func ignoredCancellations() -> [Finding] {
        let tasks = timeline.tasks
        var requestAt = [TraceNanos?](repeating: nil, count: tasks.count)
        var requestDetail = [String?](repeating: nil, count: tasks.count)
        var inheritedFrom = [Int?](repeating: nil, count: tasks.count)
        // Tree order puts parents first, so a parent's effective request is known before its children's.
        for (index, task) in tasks.enumerated() {
            if let own = marksByTask[index].first(where: { $0.kind == MarkKind.cancelRequested }) {
                requestAt[index] = own.timestamp
                requestDetail[index] = own.detail
            }
            guard task.kind == .groupChild || task.kind == .asyncLet, let parent = task.parentIndex,
                let parentRequest = requestAt[parent]
            else { continue }
            let effective = max(parentRequest, task.createdAt ?? parentRequest)
            if requestAt[index].map({ effective < $0 }) ?? true {
                requestAt[index] = effective
                requestDetail[index] = requestDetail[parent]
                inheritedFrom[index] = inheritedFrom[parent] ?? parent
            }
        }
        let segments = timeline.segments
        var findings: [Finding] = []
        for (index, task) in tasks.enumerated() {
            guard let requested = requestAt[index] else { continue }
            var running: TraceNanos = 0
            var queued: TraceNanos = 0
            for row in task.segments where segments.ends[row] > requested {
                let overlap = segments.ends[row] - max(segments.starts[row], requested)
                switch segments.states[row] {
                case .running: running &+= overlap
                case .scheduled: queued &+= overlap
                default: break
                }
            }
            let busy = running &+ queued
            guard busy >= options.cancellationThreshold else { continue }
            var source = requestDetail[index].map { " (\($0))" } ?? ""
            if let ancestor = inheritedFrom[index] {
                source = " (requested for \(tasks[ancestor].displayName)\(source.isEmpty ? "" : ":")\(source))"
            }
            let ending =
                task.isUnfinished
                ? "it was still \(task.finalState?.name ?? "open") when the trace ended"
                : "it ended \(task.outcomeLabel) at \(Self.text(task.endedAt ?? timeline.end))"
            findings.append(
                Finding(
                    rule: .cancellationIgnored, severity: .warning, taskIndex: index, task: task, time: requested,
                    duration: busy,
                    message: "After its cancellation was requested at \(Self.text(requested))\(source) it spent "
                        + "\(Self.text(running)) running and \(Self.text(queued)) queued; \(ending).",
                    suggestion: "Check for cancellation in long work (`try Task.checkCancellation()` or "
                        + "`Task.isCancelled`) and use cancellable waits, so the task stops soon after it is asked to.",
                    relatedTaskIDs: inheritedFrom[index].map { [tasks[$0].id] } ?? []
                )
            )
        }
        return findings
    }
}
