import Foundation
@testable import TaskTraceExport
import TaskTraceModel
import Testing

/// The analysis the HTML viewer shows: findings (with time, duration, rule and severity for the jump) and critical
/// paths decode back from the page's data exactly, and no finding text can leave the data element.
@Suite("Analysis: findings and critical paths in the viewer's data")
struct AnalysisInViewerDataTests {
    static func data(
        _ timeline: Timeline, findings: [Finding], paths: [CriticalPath]
    ) throws -> (page: String, data: [String: Any]) {
        var out = ByteWriter.collecting()
        try HTMLViewerExporter.write(timeline, to: &out, findings: findings, criticalPaths: paths)
        let page = String(decoding: out.bytes, as: UTF8.self)
        return (page, try HTMLViewerExporterTests.data(in: page))
    }

    @Test func findingsCarryTheirTimeDurationRuleAndSeverity() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        var findings = timeline.findings()
        #expect(!findings.isEmpty)
        // One with a length, one without: `duration` is written only when there is one.
        var lasting = findings[0]
        lasting.duration = 1234
        lasting.time = 77
        findings.append(lasting)
        let written = try #require(try Self.data(timeline, findings: findings, paths: [])
            .data["findings"] as? [[String: Any]])
        #expect(written.count == findings.count)
        for (entry, finding) in zip(written, findings) {
            #expect(entry["task"] as? Int == finding.taskIndex)
            #expect(entry["rule"] as? String == finding.rule.rawValue)
            #expect(entry["severity"] as? String == finding.severity.name)
            #expect(entry["time"] as? Int == Int(finding.time))
            #expect((entry["duration"] as? Int).map(UInt64.init) == finding.duration)
            #expect(entry["title"] as? String == "\(finding.severity.name) · \(finding.rule.rawValue)")
        }
        #expect(written.last?["duration"] as? Int == 1234 && written.last?["time"] as? Int == 77)
    }

    @Test func findingTextStaysInsideTheDataElement() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        var finding = try #require(timeline.findings().first)
        finding.message = "</script><script>window.pwned=1</script> & <!-- <img src=x onerror=alert(1)>"
        finding.suggestion = "\u{2028}\"quoted\"</SCRIPT >"
        let (page, data) = try Self.data(timeline, findings: [finding], paths: timeline.criticalPaths())
        #expect(page.lowercased().components(separatedBy: "</script").count - 1 == 2)
        #expect(!page.contains("<img") && !page.contains("<!--"))
        let written = try #require((data["findings"] as? [[String: Any]])?.first)
        #expect(written["detail"] as? String == "\(finding.message) Fix: \(finding.suggestion)")
    }

    @Test func criticalPathsRoundTrip() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        let paths = timeline.criticalPaths()
        #expect(!paths.isEmpty)
        let written = try #require(try Self.data(timeline, findings: [], paths: paths).data["criticalPaths"] as? [[String: Any]])
        #expect(written.count == paths.count)
        for (entry, path) in zip(written, paths) {
            #expect(entry["task"] as? Int == path.taskIndex)
            #expect(entry["start"] as? Int == Int(path.start) && entry["end"] as? Int == Int(path.end))
            #expect(try HTMLViewerExporterTests.ints(entry["chain"]) == path.chain)
            #expect(try HTMLViewerExporterTests.ints(entry["time"]) == path.shares.map { Int($0.time) })
            #expect(try HTMLViewerExporterTests.ints(entry["perMille"]) == path.shares.map(\.perMille))
            let steps = try #require(entry["steps"] as? [String: Any])
            #expect(try HTMLViewerExporterTests.ints(steps["task"]) == path.steps.map(\.taskIndex))
            #expect(try HTMLViewerExporterTests.ints(steps["start"]) == path.steps.map { Int($0.start) })
            #expect(try HTMLViewerExporterTests.ints(steps["end"]) == path.steps.map { Int($0.end) })
        }
    }

    @Test func pathsOfAnotherTimelineAreLeftOut() throws {
        let timeline = LintRuleTests.erroredChild().timeline
        var foreign = try #require(timeline.criticalPaths().first)
        foreign.taskIndex = timeline.tasks.count
        let written = try #require(try Self.data(timeline, findings: [], paths: [foreign]).data["criticalPaths"] as? [Any])
        #expect(written.isEmpty)
        let none = try #require(try Self.data(timeline, findings: [], paths: []).data["criticalPaths"] as? [Any])
        #expect(none.isEmpty)
    }
}
