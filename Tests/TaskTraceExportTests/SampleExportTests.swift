import Foundation
import TaskTraceExport
import TaskTraceModel
import TaskTraceStore
import Testing

/// The committed samples (scripts/regenerate-samples.sh) are what the exporters produce today, lint findings
/// included as `tasktrace export` draws them.
@Suite("Exports match the committed samples")
struct SampleExportTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    static func render(_ format: ExportFormat, _ timeline: Timeline) throws -> [UInt8] {
        var out = ByteWriter.collecting()
        switch format {
        case .chrome: try ChromeTraceExporter.write(timeline, to: &out, findings: timeline.findings())
        case .svg: try SVGGanttExporter.write(timeline, to: &out, findings: timeline.findings())
        case .html:
            try HTMLViewerExporter.write(
                timeline, to: &out, findings: timeline.findings(), criticalPaths: timeline.criticalPaths())
        }
        return out.bytes
    }

    static func committed(_ format: ExportFormat, stem: String = "sample") throws -> [UInt8] {
        [UInt8](try Data(contentsOf: samples.appendingPathComponent("\(stem).\(format.fileExtension)")))
    }

    @Test(arguments: ExportFormat.allCases)
    func inMemorySampleMatchesCommittedExport(format: ExportFormat) throws {
        let rendered = try Self.render(format, TimelineBuilderTests.build())
        #expect(rendered == (try Self.committed(format)), "run scripts/regenerate-samples.sh if the change is intended")
    }

    /// `sample` is the synthetic trace (every edge case in 20 tasks); `demo` a real `tasktrace record demo` run.
    @Test(arguments: ExportFormat.allCases, ["sample", "demo"])
    func committedTraceReadBackMatchesCommittedExport(format: ExportFormat, stem: String) throws {
        let reader = try TraceReader(path: Self.samples.appendingPathComponent("\(stem).sqlite").path)
        var builder = TimelineBuilder(
            tasks: try reader.tasks(), threads: try reader.threads(), marks: try reader.marks(),
            untrackedJobs: try reader.untrackedJobs(), meta: try reader.meta()
        )
        try reader.forEachTransition { builder.add($0) }
        #expect(try Self.render(format, builder.finish()) == (try Self.committed(format, stem: stem)))
    }
}
