import Foundation
@testable import TaskTraceExport
import TaskTraceModel
import Testing

/// The HTML viewer page: its embedded data decodes back to the timeline, no trace text can escape the data
/// element, and the page holds the viewer's script and nothing fetched from elsewhere.
@Suite("HTML viewer export")
struct HTMLViewerExporterTests {
    static func page(_ timeline: Timeline = TimelineBuilderTests.build()) throws -> String {
        var out = ByteWriter.collecting()
        try HTMLViewerExporter.write(timeline, to: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The text inside `<script type="application/json" id="tasktrace-data">`, parsed.
    static func data(in page: String) throws -> [String: Any] {
        let open = "<script type=\"application/json\" id=\"tasktrace-data\">"
        let start = try #require(page.range(of: open)).upperBound
        let end = try #require(page.range(of: "</script>", range: start..<page.endIndex)).lowerBound
        let json = try JSONSerialization.jsonObject(with: Data(page[start..<end].utf8))
        return try #require(json as? [String: Any])
    }

    static func ints(_ object: Any?) throws -> [Int] {
        try #require(object as? [Any]).map { try #require(($0 as? NSNumber)?.intValue) }
    }

    /// Decodes the segment entries the way docs/viewer.md describes (independently of web/src/data.js).
    static func decodedSegments(_ data: [String: Any]) throws -> [(task: Int, start: Int, end: Int, state: Int, thread: Int)] {
        let tasks = try #require(data["tasks"] as? [String: Any])
        let segments = try #require(data["segments"] as? [String: Any])
        let created = try ints(tasks["created"]), entries = try ints(tasks["entries"]), last = try ints(tasks["last"])
        let deltas = try ints(segments["dt"]), codes = try ints(segments["code"])
        var result: [(task: Int, start: Int, end: Int, state: Int, thread: Int)] = []
        var entry = 0
        for task in created.indices {
            var position = created[task]
            var open: Int?
            for _ in 0..<entries[task] {
                let start = position + deltas[entry]
                position = start
                if let index = open { result[index].end = start }
                open = nil
                if codes[entry] % 8 != ViewerDataWriter.gapState {
                    result.append((task, start, start, codes[entry] % 8, codes[entry] / 8))
                    open = result.count - 1
                }
                entry += 1
            }
            if let index = open { result[index].end = position + last[task] }
        }
        #expect(entry == deltas.count)
        return result
    }

    @Test func segmentsRoundTrip() throws {
        let timeline = TimelineBuilderTests.build()
        let decoded = try Self.decodedSegments(try Self.data(in: try Self.page(timeline)))
        let table = timeline.segments
        #expect(decoded.count == table.count)
        for (row, segment) in decoded.enumerated() where row < table.count {
            #expect(segment.task == Int(table.taskIndices[row]))
            #expect(segment.start == Int(table.starts[row]) && segment.end == Int(table.ends[row]))
            #expect(segment.state == Int(table.states[row].rawValue) && segment.thread == Int(table.threads[row]))
        }
    }

    @Test func gapAfterATerminalStateRoundTrips() throws {
        var builder = TimelineBuilder(tasks: [TaskRecord(id: 1, name: "odd")], threads: [], marks: [], untrackedJobs: [], meta: [:])
        let states: [(UInt64, TaskState)] = [(0, .created), (10, .scheduled), (20, .running), (30, .done), (50, .running), (70, .suspended)]
        for (time, state) in states { builder.add(TransitionRecord(taskID: 1, timestamp: time, state: state, threadID: 2)) }
        let timeline = builder.finish()
        let decoded = try Self.decodedSegments(try Self.data(in: try Self.page(timeline)))
        #expect(decoded.map { [$0.start, $0.end, $0.state] } == (0..<timeline.segments.count).map {
            [Int(timeline.segments.starts[$0]), Int(timeline.segments.ends[$0]), Int(timeline.segments.states[$0].rawValue)]
        })
        #expect(decoded.contains { $0.start == 30 } == false, "the gap 30..50 is not a segment")
    }

    @Test func tasksMarksAndThreadsRoundTrip() throws {
        let timeline = TimelineBuilderTests.build()
        let data = try Self.data(in: try Self.page(timeline))
        let strings = try #require(data["strings"] as? [String])
        let tasks = try #require(data["tasks"] as? [String: Any])
        let text = { (ref: Int) in ref > 0 ? strings[ref - 1] : nil }
        #expect(try Self.ints(tasks["id"]) == timeline.tasks.map { Int($0.id) })
        #expect(try Self.ints(tasks["name"]).map(text) == timeline.tasks.map(\.name))
        #expect(try Self.ints(tasks["error"]).map(text) == timeline.tasks.map(\.error))
        #expect(try Self.ints(tasks["site"]).map(text) == timeline.tasks.map(\.spawnSite))
        let parents = try Self.ints(tasks["parent"]).enumerated().map { $1 == 0 ? nil : $0 - $1 }
        #expect(parents == timeline.tasks.map(\.parentIndex))
        #expect(try Self.ints(tasks["life"]) == timeline.tasks.map { Int($0.lifetime) })
        let flags = try Self.ints(tasks["flags"])
        #expect(flags.map { $0 & 1 == 1 } == timeline.tasks.map(\.isUnfinished))
        let marks = try #require(data["marks"] as? [String: Any])
        #expect(try Self.ints(marks["ts"]) == timeline.marks.map { Int($0.timestamp) })
        #expect(try Self.ints(marks["kind"]).map(text) == timeline.marks.map(\.kind))
        let integrity = try #require(data["integrity"] as? [String: Any])
        #expect(integrity["summary"] as? String == timeline.integrity.summary)
        #expect((integrity["problems"] as? [Any])?.count == timeline.integrity.problems.count)
        #expect(data["start"] as? Int == Int(timeline.start) && data["end"] as? Int == Int(timeline.end))
    }

    @Test func hostileTextStaysInsideTheDataElement() throws {
        let hostile = [
            "</script><script>window.pwned=1</script>", "</SCRIPT >", "<!-- <script>", "<img src=x onerror=alert(1)>",
            "\"quotes\" & 'apostrophes' \\ back", "ctl\u{0}\u{1}\u{1B}[31m\u{7F}", "line\u{2028}sep\u{2029}", "</style><b>",
        ]
        let tasks = hostile.enumerated().map { TaskRecord(id: UInt64($0.offset + 1), name: $0.element, error: $0.element) }
        var builder = TimelineBuilder(
            tasks: tasks, threads: [ThreadRecord(id: 1, name: "</script>", kind: .worker)],
            marks: [MarkRecord(taskID: 1, timestamp: 5, kind: "<b>", detail: "</script>")], untrackedJobs: [],
            meta: [MetaKey.command: "</title></script><script>alert(1)</script>"]
        )
        for task in tasks {
            builder.add(TransitionRecord(taskID: task.id, timestamp: 0, state: .created))
            builder.add(TransitionRecord(taskID: task.id, timestamp: 10, state: .scheduled))
        }
        let page = try Self.page(builder.finish())
        // Exactly the two script elements the exporter writes end: the data and the viewer.
        #expect(page.lowercased().components(separatedBy: "</script").count - 1 == 2)
        #expect(!page.contains("<img") && !page.contains("<!--") && !page.contains("</style><b>"))
        #expect(page.contains("<title>tasktrace — &lt;/title&gt;&lt;/script&gt;"))
        let data = try Self.data(in: page)
        let strings = try #require(data["strings"] as? [String])
        for name in hostile { #expect(strings.contains(name), "\(name.debugDescription) did not round-trip") }
        #expect(data["title"] as? String == "</title></script><script>alert(1)</script>")
    }

    @Test func pageIsSelfContained() throws {
        let page = try Self.page()
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        for forbidden in ["src=", "<link", "href=", "@import", "url("] {
            #expect(!page.contains(forbidden), "the page must not load \(forbidden)")
        }
        #expect(page.contains("<div id=\"app\"></div>"))
        #expect(page.contains("modules[\"main.js\"]"))
    }

    @Test func cancelRequesterIsReadFromTheRuntimesDetail() {
        #expect(CancelRequester.taskID(inDetail: "by task 67: another mirror answered first") == 67)
        #expect(CancelRequester.taskID(inDetail: "by task 5") == 5)
        #expect(CancelRequester.taskID(inDetail: "by a thread outside the runtime") == nil)
        #expect(CancelRequester.taskID(inDetail: "cancelled by fetch-orders") == nil)
        #expect(CancelRequester.taskID(inDetail: nil) == nil)
    }

    @Test func cancelRequestNamesItsRequesterRow() throws {
        let tasks = [TaskRecord(id: 10, name: "boss"), TaskRecord(id: 20, parentID: 10, name: "worker")]
        var builder = TimelineBuilder(
            tasks: tasks, threads: [], marks: [MarkRecord(taskID: 20, timestamp: 7, kind: MarkKind.cancelRequested, detail: "by task 10: enough")],
            untrackedJobs: [], meta: [:]
        )
        for task in tasks { builder.add(TransitionRecord(taskID: task.id, timestamp: 0, state: .created)) }
        let data = try Self.data(in: try Self.page(builder.finish()))
        let marks = try #require(data["marks"] as? [String: Any])
        #expect(try Self.ints(marks["from"]) == [1])  // row 0 (boss) + 1
        #expect(try Self.ints(marks["task"]) == [2])  // row 1 (worker) + 1
    }
}
