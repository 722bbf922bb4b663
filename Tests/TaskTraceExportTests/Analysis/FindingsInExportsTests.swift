import Foundation
import TaskTraceExport
import TaskTraceModel
import Testing

/// Findings drawn by the Chrome and SVG exporters: one instant / one circle per finding, on the task's row.
@Suite("Analysis: findings in the exports")
struct FindingsInExportsTests {
    static func render(_ write: (inout ByteWriter) throws -> Void) throws -> String {
        var out = ByteWriter.collecting()
        try write(&out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test func chromeHasOneThreadScopedInstantPerFindingOnItsTasksTrack() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        let findings = timeline.findings()
        #expect(!findings.isEmpty)
        let text = try Self.render { try ChromeTraceExporter.write(timeline, to: &$0, findings: findings) }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        let instants = events.filter { $0["ph"] as? String == "i" }
        #expect(instants.count == findings.count)
        for (instant, finding) in zip(instants, findings) {
            #expect(
                instant["s"] as? String == "t" && instant["cat"] as? String == "finding" && instant["pid"] as? Int == 1)
            #expect(instant["tid"] as? Int == finding.taskIndex + 1)
            #expect(instant["name"] as? String == "\(finding.severity.name): \(finding.rule.rawValue)")
            let args = try #require(instant["args"] as? [String: Any])
            #expect(args["message"] as? String == finding.message && args["fix"] as? String == finding.suggestion)
        }
        #expect((root["otherData"] as? [String: String])?["export.findings"] == String(findings.count))
        // Without findings the export is unchanged: no instants, no count.
        let plain = try Self.render { try ChromeTraceExporter.write(timeline, to: &$0) }
        #expect(!plain.contains("\"ph\":\"i\"") && !plain.contains("export.findings"))
    }

    @Test func svgDrawsACircleWithTheExplanationPerFinding() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        let findings = timeline.findings()
        let svg = try Self.render { try SVGGanttExporter.write(timeline, to: &$0, findings: findings) }
        #expect(svg.components(separatedBy: "r=\"4.5\"").count - 1 == findings.count)
        #expect(svg.contains("fill=\"#c92a2a\""))
        #expect(svg.contains("error [error-never-retrieved] at 11ms"))
        #expect(svg.contains("\(findings.count) lint finding"))
        let plain = try Self.render { try SVGGanttExporter.write(timeline, to: &$0) }
        #expect(!plain.contains("r=\"4.5\""))
    }
}
