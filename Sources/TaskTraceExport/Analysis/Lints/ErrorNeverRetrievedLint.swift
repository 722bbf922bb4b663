import TaskTraceModel

extension LintContext {
    /// An errored task whose error no task was seen to retrieve. The rule (docs/analysis.md):
    ///
    /// Only tasks started with the runtime's `spawn` (kind `spawned`) whose `errored` outcome was observed are
    /// checked: a `blocking` task's error always goes to its caller, a root's to the caller of `record`, a group
    /// child's or `async let`'s to its parent's scope, and an inferred outcome is not evidence. Its error counts
    /// as retrieved when any of these is in the trace:
    /// 1. a `gather`, `wait`, `timeout` (waitFor) or `shield` mark names it: the helper handed its result over;
    /// 2. it has a `done_callbacks` mark: a user callback received the result;
    /// 3. another task was woken from its thread during its last job: that is how an await of its value (or of
    ///    a helper waiting on it) looks (see `WakeIndex`);
    /// 4. its parent ended `errored` with the same error text: the error propagated.
    /// An await that starts after the task has already ended leaves no trace at all, so such code is reported too:
    /// the finding says "no task was seen" rather than "nobody did".
    func errorsNeverRetrieved() -> [Finding] {
        var handedOver = Set<TraceTaskID>()
        for mark in timeline.marks where HelperMarks.resultHandOver.contains(mark.kind) {
            handedOver.formUnion(HelperMarks.taskIDs(in: mark.detail))
        }
        let segments = timeline.segments
        var findings: [Finding] = []
        for (index, task) in timeline.tasks.enumerated() {
            guard task.finalState == .errored, !task.isUnfinished, !task.outcomeInferred, task.kind == .spawned,
                !handedOver.contains(task.id)
            else { continue }
            if marksByTask[index].contains(where: { $0.kind == HelperMarks.doneCallbacks }) { continue }
            if let parent = task.parentIndex, timeline.tasks[parent].finalState == .errored,
                timeline.tasks[parent].error == task.error
            {
                continue
            }
            if let lastJob = task.segments.reversed().first(where: { segments.states[$0] == .running }) {
                let thread = segments.threads[lastJob]
                let end = task.endedAt ?? segments.ends[lastJob]
                if !wakes.wakes(on: thread, from: segments.starts[lastJob], to: end, excluding: index).isEmpty {
                    continue
                }
            }
            let ended = task.endedAt ?? timeline.end
            let errorText = task.error.map { " (\($0))" } ?? ""
            findings.append(
                Finding(
                    rule: .errorNeverRetrieved, severity: .error, taskIndex: index, task: task, time: ended,
                    duration: nil,
                    message: "It failed at \(Self.text(ended))\(errorText) and no task was seen retrieving the error: "
                        + "nothing awaiting it was woken by its end, no gather, wait, waitFor or shield named it, "
                        + "no done callback ran, and its parent did not fail with it.",
                    suggestion: "Await the task (`try await task.value`) or handle its failure in `onDone`; "
                        + "an error nobody retrieves is lost (asyncio logs \"Task exception was never retrieved\")."
                )
            )
        }
        return findings
    }
}
