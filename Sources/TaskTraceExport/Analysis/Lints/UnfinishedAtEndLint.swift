import TaskTraceModel

extension LintContext {
    /// Tasks alive when the trace ended, with the state they were stuck in and for how long.
    ///
    /// Warning; info for tasks of kind `unknown` (started with `Task(executorPreference:)`), whose end the runtime
    /// cannot observe, so "unfinished" may only mean "not seen finishing".
    func unfinishedAtEnd() -> [Finding] {
        var findings: [Finding] = []
        let segments = timeline.segments
        for (index, task) in timeline.tasks.enumerated() where task.isUnfinished {
            guard let last = task.segments.last else { continue }
            let state = segments.states[last]
            let since = segments.starts[last]
            let stuck = timeline.traceEnd >= since ? timeline.traceEnd - since : 0
            var message =
                "It was still \(state.name) when the trace ended, for \(Self.text(stuck)) "
                + "(since \(Self.text(since))), \(Self.text(task.lifetime)) after it was created"
            if let cancel = marksByTask[index].first(where: { $0.kind == MarkKind.cancelRequested }) {
                message += "; its cancellation had been requested at \(Self.text(cancel.timestamp))"
            }
            if task.kind == .unknown {
                message +=
                    "; tasks started outside the runtime's API have no observable end, so it may have "
                    + "finished unseen"
            }
            if cutShort {
                message += "; the recording was cut short (no end time in meta), so it may have finished later"
            }
            message += "."
            findings.append(
                Finding(
                    rule: .unfinishedAtEnd, severity: task.kind == .unknown || cutShort ? .info : .warning,
                    taskIndex: index, task: task, time: since, duration: stuck, message: message,
                    suggestion: "Keep the task's handle and await it (or cancel it and await the cancellation) "
                        + "before the code that started it returns, so no work is left pending at exit."
                )
            )
        }
        return findings
    }
}
