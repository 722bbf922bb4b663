import TaskTraceExport
import TaskTraceModel
import Testing

/// The size goal of issue 11, `chrome_bytes_per_task` ≤ 300 (docs/performance.md, "Chrome JSON size"), held on a
/// generated trace shaped like the benchmark's: one root spawning 10k trivial TaskGroup children (Swift task ids of
/// 7 digits, as in a process that ran tasks before), each created and scheduled at once, queued for tens of µs, run
/// for a few µs on one of two workers, and ended by inference when the parent ended; 0.4 s of trace, so timestamps
/// have 6 integer digits. A size, not a time: the same trace always gives the same bytes.
@Suite("Chrome JSON size budget")
struct ChromeSizeBudgetTests {
    static let budget = 300.0

    static func benchmarkShapedTrace(children: Int) -> Timeline {
        let root: TraceTaskID = 2_600_002
        var tasks = [TaskRecord(id: root, name: "main", kind: .root)]
        var transitions = [
            TransitionRecord(taskID: root, timestamp: 1_457_772, state: .created),
            TransitionRecord(taskID: root, timestamp: 1_457_772, state: .scheduled),
            TransitionRecord(taskID: root, timestamp: 1_519_599, state: .running, threadID: 2),
        ]
        var marks: [MarkRecord] = []
        var lastEnd: TraceNanos = 0
        for child in 0..<children {
            let id = root + 1 + TraceTaskID(child)
            let created = TraceNanos(1_539_766 + child * 40_013)
            let started = created + 37_123 + TraceNanos(child * 7_919 % 50_000)
            let ended = started + 4_218 + TraceNanos(child % 997)
            let worker = TraceThreadID(2 + child % 2)
            tasks.append(TaskRecord(id: id, parentID: root, kind: .groupChild))
            transitions += [
                TransitionRecord(taskID: id, timestamp: created, state: .created, threadID: 2),
                TransitionRecord(taskID: id, timestamp: created, state: .scheduled, threadID: 2),
                TransitionRecord(taskID: id, timestamp: started, state: .running, threadID: worker),
                TransitionRecord(taskID: id, timestamp: ended, state: .done, threadID: worker),
            ]
            marks.append(
                MarkRecord(
                    taskID: id, timestamp: ended, kind: MarkKind.inferredOutcome,
                    detail: InferredOutcomeDetail.parentEnded))
            lastEnd = max(lastEnd, ended)
        }
        transitions.append(TransitionRecord(taskID: root, timestamp: lastEnd + 1_000, state: .done, threadID: 2))
        let ordered = transitions.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }
        var builder = TimelineBuilder(
            tasks: tasks,
            threads: [
                ThreadRecord(id: 1, name: "tasktrace-writer", kind: .external),
                ThreadRecord(id: 2, name: "tasktrace-worker-1", kind: .worker),
                ThreadRecord(id: 3, name: "tasktrace-worker-2", kind: .worker),
            ],
            marks: marks, untrackedJobs: [], meta: ["workers": "2"])
        for item in ordered { builder.add(item.element) }
        return builder.finish()
    }

    @Test func tenThousandGroupChildrenFitTheBudget() throws {
        let timeline = Self.benchmarkShapedTrace(children: 10_000)
        #expect(timeline.tasks.count == 10_001)
        #expect(timeline.tasks.dropFirst().allSatisfy { $0.outcomeLabel == "done (inferred)" })
        var bytes = 0
        var out = ByteWriter { bytes += $0.count }
        // As the benchmark exports it: default options, with the trace's lint findings.
        try ChromeTraceExporter.write(timeline, to: &out, findings: timeline.findings())
        try out.flush()
        let perTask = Double(bytes) / Double(timeline.tasks.count)
        #expect(perTask <= Self.budget, "\(perTask) bytes per task")
        // The opt-in views cost what docs/export.md says they do (about 120 and 60 bytes per task here).
        var full = 0
        var fullOut = ByteWriter { full += $0.count }
        try ChromeTraceExporter.write(
            timeline, to: &fullOut, findings: timeline.findings(),
            options: ChromeExportOptions(workerLanes: true, stateColors: true))
        try fullOut.flush()
        #expect(Double(full) / Double(timeline.tasks.count) > perTask + 150, "\(Double(full) / 10_001) with both")
    }
}
