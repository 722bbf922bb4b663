import TaskTraceExport
import TaskTraceModel
import Testing

/// Analysis on damaged traces finishes and stays within its rules: no trap, no endless walk.
@Suite("Analysis: damaged input")
struct DamagedInputAnalysisTests {
    @Test func parentCyclesAndTimesAtTheEdgeOfTheRange() {
        // A 2-cycle (1's parent is 2, 2's parent is 1), a self-parent, and a transition near UInt64.max.
        let tasks = [
            TaskRecord(id: 1, parentID: 2, name: "a", kind: .spawned), TaskRecord(id: 2, parentID: 1, name: "b"),
            TaskRecord(id: 3, parentID: 3, name: "self", kind: .spawned),
            TaskRecord(id: 4, name: "edge", kind: .spawned, error: "boom"),
        ]
        var transitions =
            DamagedInputTests.ranOnce(1, at: 10, thread: 1) + DamagedInputTests.ranOnce(2, at: 20, thread: 1)
            + DamagedInputTests.ranOnce(3, at: 30, thread: 1)
        transitions += [
            TransitionRecord(taskID: 4, timestamp: 0, state: .created),
            TransitionRecord(taskID: 4, timestamp: 1, state: .scheduled),
            TransitionRecord(taskID: 4, timestamp: 2, state: .running, threadID: 1),
            TransitionRecord(taskID: 4, timestamp: .max - 5, state: .errored),
        ]
        let timeline = DamagedInputTests.timeline(
            tasks: tasks, transitions: transitions.sorted { $0.timestamp < $1.timestamp },
            meta: [MetaKey.durationNs: String(UInt64.max)]
        )
        let statistics = timeline.taskStatistics()
        for row in statistics { #expect(row.created + row.scheduled + row.running + row.suspended == row.lifetime) }
        let findings = timeline.findings(
            options: LintOptions(blockingThreshold: 1, starvationThreshold: 1, cancellationThreshold: 1))
        #expect(findings.contains { $0.rule == .blockingJob && $0.taskID == 4 })
        #expect(findings.contains { $0.rule == .errorNeverRetrieved && $0.taskID == 4 })
        for index in timeline.tasks.indices {
            let path = timeline.criticalPath(ofTask: index)
            #expect(path.map { $0.shares.reduce(0) { $0 + $1.time } == $0.duration } ?? true)
        }
        _ = timeline.criticalPaths()
        _ = timeline.nameStatistics(statistics)
        _ = timeline.threadStatistics()
    }
}
