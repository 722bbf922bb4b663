import TaskTraceModel

extension LintContext {
    /// A timeout that fired: a `timeout` mark (waitFor) on the waiting task names the task it guards, and that
    /// task then received a cancellation request from the waiter whose reason starts with `timeout`. Any other
    /// cancellation whose reason starts with `timeout` is reported too. Info: a timeout firing is often by design.
    func timeoutsFired() -> [Finding] {
        // Guarded task id -> (waiter index, timeout text, when the timeout was set).
        var guards: [TraceTaskID: (waiter: Int, timeout: String?, setAt: TraceNanos)] = [:]
        for mark in timeline.marks where mark.kind == HelperMarks.timeout {
            guard let waiter = mark.taskIndex else { continue }
            for id in HelperMarks.taskIDs(in: mark.detail) {
                guards[id] = (waiter, HelperMarks.timeoutText(in: mark.detail), mark.timestamp)
            }
        }
        var findings: [Finding] = []
        for (index, task) in timeline.tasks.enumerated() {
            guard
                let cancel = marksByTask[index].first(where: { mark in
                    mark.kind == MarkKind.cancelRequested
                        && (HelperMarks.cancelRequest(mark.detail).reason?.hasPrefix("timeout") ?? false)
                })
            else { continue }
            let request = HelperMarks.cancelRequest(cancel.detail)
            var message: String
            var related: [TraceTaskID] = []
            if let guarded = guards[task.id],
                request.requester == nil || request.requester == timeline.tasks[guarded.waiter].id
            {
                let waiter = timeline.tasks[guarded.waiter]
                related = [waiter.id]
                message =
                    "The \(guarded.timeout ?? "") timeout that \(waiter.displayName) set at "
                    + "\(Self.text(guarded.setAt)) fired at \(Self.text(cancel.timestamp)) and cancelled it"
            } else {
                message =
                    "A timeout fired at \(Self.text(cancel.timestamp)) and cancelled it"
                    + (request.reason.map { " (\($0))" } ?? "")
            }
            if task.isUnfinished {
                message += "; it was still \(task.finalState?.name ?? "open") when the trace ended."
            } else if let end = task.endedAt {
                message +=
                    "; it ended \(task.outcomeLabel) \(Self.text(end >= cancel.timestamp ? end - cancel.timestamp : 0)) later."
            }
            if task.descendantCount > 0 {
                message.removeLast()
                message += ", with its \(task.descendantCount) descendant task\(task.descendantCount == 1 ? "" : "s")."
            }
            findings.append(
                Finding(
                    rule: .timeoutFired, severity: .info, taskIndex: index, task: task, time: cancel.timestamp,
                    duration: nil, message: message,
                    suggestion: "If the work should have finished in time, see what it waited on "
                        + "(`tasktrace critical-path TRACE --task \(task.id)`); otherwise raise the timeout or handle "
                        + "the TimeoutError on purpose.",
                    relatedTaskIDs: related
                )
            )
        }
        return findings
    }
}
