import Foundation
@testable import TaskTraceExport
import TaskTraceModel
import Testing

@Suite("SVG Gantt")
struct SVGExporterTests {
    static func text(_ format: ExportFormat, _ timeline: Timeline = TimelineBuilderTests.build()) throws -> String {
        String(decoding: try SampleExportTests.render(format, timeline), as: UTF8.self)
    }

    @Test func svgHasRowsLegendAxisAndTooltips() throws {
        let svg = try Self.text(.svg)
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""))
        #expect(svg.hasSuffix("</svg>\n"))
        for state in TaskState.allCases { #expect(svg.contains(">\(state.name)</text>")) }
        #expect(svg.contains(">0µs</text>") && svg.contains(">1400µs</text>"))
        #expect(svg.contains("main #1</text>"))
        #expect(svg.contains("<title>cancel requested at 350µs: cancelled by fetch-orders: deadline</title>"))
        #expect(svg.contains("errored at") && svg.contains("DecodingError"))
        #expect(svg.contains("unfinished: still suspended when the trace ended"))
    }

    @Test func namesAndErrorsAreEscaped() throws {
        for format in [ExportFormat.svg] {
            let text = try Self.text(format)
            #expect(!text.contains("<script>"))
            #expect(text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; #7"))
            #expect(text.contains("URLError(-1001): &quot;timed out&quot; &lt;after 3 tries&gt;"))
        }
    }

    @Test func xmlEscapingReplacesCharactersXMLForbids() {
        var out = ByteWriter.collecting()
        out.writeXMLEscaped("a\u{01}b\u{0}c\td")
        #expect(String(decoding: out.bytes, as: UTF8.self) == "a\u{FFFD}b\u{FFFD}c\td")
    }

    @Test func tooManyRowsSaysWhatWasLeftOut() throws {
        var layout = SVGGanttExporter.Layout()
        layout.maxRows = 5
        var out = ByteWriter.collecting()
        try SVGGanttExporter.write(TimelineBuilderTests.build(), to: &out, layout: layout)
        let svg = String(decoding: out.bytes, as: UTF8.self)
        #expect(svg.contains("15 more tasks not shown"))
        #expect(!svg.contains("cancel requested at 350µs"))  // timeout-guard is row 7
    }

    @Test func subPixelSegmentsAreMerged() throws {
        var builder = TimelineBuilder(
            tasks: [TaskRecord(id: 1, name: "busy")], threads: [], marks: [], untrackedJobs: [], meta: [:]
        )
        builder.add(TransitionRecord(taskID: 1, timestamp: 0, state: .created))
        let cycle: [TaskState] = [.scheduled, .running, .suspended]
        for step in 1...30_000 {
            builder.add(TransitionRecord(taskID: 1, timestamp: UInt64(step) * 10, state: cycle[(step - 1) % 3], threadID: 1))
        }
        let svg = try Self.text(.svg, builder.finish())
        let bars = svg.components(separatedBy: "<rect").count
        #expect(bars < 1_000)
        #expect(svg.contains("segments merged"))
    }

    @Test func tickStepsAreOneTwoFive() {
        #expect(SVGGanttExporter.tickStep(span: 1_424_000, target: 8) == 200_000)
        #expect(SVGGanttExporter.tickStep(span: 10, target: 8) == 1)
        #expect(SVGGanttExporter.tickStep(span: 3_000_000_000, target: 8) == 500_000_000)
    }

    @Test func exportsAreDeterministic() throws {
        for format in ExportFormat.allCases {
            #expect(try Self.text(format) == (try Self.text(format)))
        }
    }

    @Test func formatIsInferredFromTheExtension() {
        #expect(ExportFormat(inferringFrom: "a/b.JSON") == .chrome)
        #expect(ExportFormat(inferringFrom: "b.svg") == .svg)
        #expect(ExportFormat(inferringFrom: "b.htm") == .html)
        #expect(ExportFormat(inferringFrom: "b.txt") == nil)
        #expect(ExportFormat(inferringFrom: "dir.json/file") == nil)
    }
}
