import Foundation
import TaskTraceExport
import TaskTraceModel
import Testing

/// The model and exporters meet damaged traces (a review crafted them): they must finish and write valid
/// output, never trap, hang or allocate without bound.
@Suite("Damaged input")
struct DamagedInputTests {
    static func timeline(
        tasks: [TaskRecord], transitions: [TransitionRecord], threads: [ThreadRecord] = [],
        untrackedJobs: [UntrackedJobRecord] = [], meta: [String: String] = [:], options: TimelineOptions = TimelineOptions()
    ) -> Timeline {
        var builder = TimelineBuilder(
            tasks: tasks, threads: threads, marks: [], untrackedJobs: untrackedJobs, meta: meta, options: options
        )
        for transition in transitions { builder.add(transition) }
        return builder.finish()
    }

    static func ranOnce(_ id: TraceTaskID, at start: TraceNanos, thread: TraceThreadID = 0) -> [TransitionRecord] {
        [
            TransitionRecord(taskID: id, timestamp: start, state: .created),
            TransitionRecord(taskID: id, timestamp: start + 1, state: .scheduled),
            TransitionRecord(taskID: id, timestamp: start + 2, state: .running, threadID: thread),
            TransitionRecord(taskID: id, timestamp: start + 3, state: .done),
        ]
    }

    @Test("a name filter over parent cycles finishes, with every matching task and its ancestors")
    func filterWithParentCycles() {
        // 20,000 tasks in 2-cycles (A's parent is B, B's parent is A) plus one self-parent: before the fix the
        // ancestor walk went round each cycle up to the number of tasks, per matching task (minutes).
        var tasks: [TaskRecord] = []
        var transitions: [TransitionRecord] = []
        for pair in 0..<10_000 {
            let a = TraceTaskID(2 * pair + 1)
            let b = a + 1
            tasks.append(TaskRecord(id: a, parentID: b, name: "load-\(a)"))
            tasks.append(TaskRecord(id: b, parentID: a, name: "other-\(b)"))
            transitions += Self.ranOnce(a, at: TraceNanos(pair * 10)) + Self.ranOnce(b, at: TraceNanos(pair * 10))
        }
        tasks.append(TaskRecord(id: 99_999, parentID: 99_999, name: "load-self"))
        transitions += Self.ranOnce(99_999, at: 0)
        let timeline = Self.timeline(
            tasks: tasks, transitions: transitions.sorted { $0.timestamp < $1.timestamp },
            options: TimelineOptions(nameFilter: "load-")
        )
        #expect(timeline.tasks.count == 20_001)  // each match pulls in its partner as an ancestor
    }

    @Test("a huge thread id gets a lane without an array the size of the id")
    func hugeThreadIDs() throws {
        let threads = [
            ThreadRecord(id: .max, name: "big", kind: .worker), ThreadRecord(id: 1, name: "w1", kind: .worker),
        ]
        let timeline = Self.timeline(
            tasks: [TaskRecord(id: 1, name: "t")], transitions: Self.ranOnce(1, at: 10, thread: .max), threads: threads,
            untrackedJobs: [UntrackedJobRecord(threadID: .max, start: 1, end: 5)]
        )
        var bytes: [UInt8] = []
        var writer = ByteWriter { bytes.append(contentsOf: $0) }
        try ChromeTraceExporter.write(timeline, to: &writer, options: ChromeExportOptions(workerLanes: true))
        try writer.flush()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        #expect(events.contains { ($0["pid"] as? Int) == 2 && ($0["name"] as? String) == "untracked job" })
    }

    @Test("timestamps and durations at the edge of the range are clamped, and SVG/HTML still render")
    func extremeTimes() throws {
        let transitions = [
            TransitionRecord(taskID: 1, timestamp: 0, state: .created),
            TransitionRecord(taskID: 1, timestamp: .max - 5, state: .scheduled),
        ]
        let timeline = Self.timeline(
            tasks: [TaskRecord(id: 1, name: "t")], transitions: transitions,
            meta: [MetaKey.durationNs: String(UInt64.max)]
        )
        #expect(timeline.end <= TraceFormat.maxTimestamp)
        for format in [ExportFormat.svg, .html] {
            var bytes: [UInt8] = []
            var writer = ByteWriter { bytes.append(contentsOf: $0) }
            switch format {
            case .svg: try SVGGanttExporter.write(timeline, to: &writer)
            default: try HTMLViewerExporter.write(timeline, to: &writer)
            }
            try writer.flush()
            #expect(bytes.count > 500)
        }
        #expect(TraceTimeText.format(.max) == "18446744073.71s")
    }

    @Test("times too large for a trace are not times", arguments: [
        "18446744073.9999999999s", "18446744073709.9999999ms", "18446744073709551615", "4611686018427387905",
        "99999999999999999999",
    ])
    func oversizedTimesAreRejected(_ text: String) {
        #expect(TraceTimeText.parseNanos(text) == nil)
    }
}
