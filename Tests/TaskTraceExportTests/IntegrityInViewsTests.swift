import Foundation
import TaskTraceExport
import TaskTraceModel
import Testing

/// A trace that is not exact says so in every static export: each non-zero integrity counter in `meta` appears in
/// the Chrome JSON's "Tasks" label and `otherData`, and in the SVG's header note. (The HTML viewer's header is
/// checked in the browser tests.)
@Suite("integrity counters in every view")
struct IntegrityInViewsTests {
    static func timeline(_ counters: [String: String]) -> Timeline {
        var sample = SampleTrace()
        sample.meta.merge(counters) { _, new in new }
        return TimelineBuilderTests.build(sample)
    }

    static let counters = [
        MetaKey.droppedEvents: "3", MetaKey.skippedEvents: "2", MetaKey.reorderedEvents: "5",
        MetaKey.reconstructedTransitions: "7", MetaKey.lateEvents: "11",
    ]

    @Test func chromeLabelsTheTasksProcessWithEveryProblem() throws {
        let (events, root) = try ChromeTraceExporterTests.events(try ChromeTraceExporterTests.render(Self.timeline(Self.counters)))
        let label = try #require(
            events.first { $0["name"] as? String == "process_labels" }.flatMap { ($0["args"] as? [String: String])?["labels"] }
        )
        for phrase in ["dropped 3 events", "2 events could not be placed", "5 events arrived out of order",
            "7 transitions reconstructed", "11 events after the recording ended"]
        {
            #expect(label.contains(phrase), "\(label)")
        }
        let other = try #require(root["otherData"] as? [String: String])
        for (key, value) in Self.counters { #expect(other[key] == value) }
    }

    @Test func svgHeaderNamesEveryProblem() throws {
        var out = ByteWriter.collecting()
        try SVGGanttExporter.write(Self.timeline(Self.counters), to: &out)
        let text = String(decoding: out.bytes, as: UTF8.self)
        for phrase in ["dropped 3 events", "2 events could not be placed", "7 transitions reconstructed"] {
            #expect(text.contains(phrase))
        }
    }

    @Test func anExactTraceShowsNoWarning() throws {
        let exact = Self.timeline(Self.counters.mapValues { _ in "0" })
        #expect(exact.integrity.isExact)
        let (events, _) = try ChromeTraceExporterTests.events(try ChromeTraceExporterTests.render(exact))
        #expect(!events.contains { $0["name"] as? String == "process_labels" })
    }
}
