import TaskTraceModel

extension LintContext {
    /// A spawned task that outlived its parent: the parent ended while it was still alive, so nobody awaits it
    /// any more (asyncio's "fire and forget" task). Structured children cannot outlive their parent; blocking
    /// tasks are always awaited by their caller.
    func orphans() -> [Finding] {
        var findings: [Finding] = []
        for (index, task) in timeline.tasks.enumerated() where task.kind == .spawned {
            guard let parentIndex = task.parentIndex else { continue }
            let parent = timeline.tasks[parentIndex]
            guard !parent.isUnfinished, let parentEnd = parent.endedAt, let end = task.endedAt, end > parentEnd,
                let created = task.createdAt, created <= parentEnd
            else { continue }
            // A task's result is published inside its final job, before that job's end is recorded: with several
            // workers the parent can take the result and end while the job is still returning. Only a parent that
            // ended before the task's final job began left it behind.
            if !task.isUnfinished,
                let finalJob = task.segments.last(where: { timeline.segments.states[$0] == .running }),
                parentEnd >= timeline.segments.starts[finalJob]
            {
                continue
            }
            let state = self.state(ofTask: index, at: parentEnd).map { "was still \($0.name)" } ?? "was alive"
            let after =
                task.isUnfinished
                ? "it had not finished when the trace ended"
                : "it ended \(task.outcomeLabel) \(Self.text(end - parentEnd)) later"
            findings.append(
                Finding(
                    rule: .orphan, severity: .warning, taskIndex: index, task: task, time: parentEnd,
                    duration: end - parentEnd,
                    message: "Its parent \(parent.displayName) ended \(parent.outcomeLabel) at \(Self.text(parentEnd)) "
                        + "while it \(state), so nothing awaited it; \(after).",
                    suggestion: "Await the tasks a task spawns before it returns (or use a task group, which cannot "
                        + "be outlived), or cancel them explicitly when they are no longer needed.",
                    relatedTaskIDs: [parent.id]
                )
            )
        }
        return findings
    }
}
