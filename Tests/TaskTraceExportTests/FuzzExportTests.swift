import Foundation
import TaskTraceExport
import TaskTraceModel
import TaskTraceStore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Property tests on seeded random traces (`RandomTrace`): each is written to SQLite (some names then replaced by
/// invalid UTF-8 bytes, as another tool could write them), read back, checked, and exported in every format.
///
/// Properties: `TraceChecker` accepts the trace (it is valid by construction); the Chrome JSON parses; the SVG is
/// well-formed XML; the HTML is produced and no text from the trace that contains markup appears in any export
/// verbatim. `TASKTRACE_FUZZ_CASES` sets the number of cases (default 200); `TASKTRACE_FUZZ_SEED` the first seed.
@Suite("Fuzz: random valid traces through every exporter")
struct FuzzExportTests {
    static var cases: Int { ProcessInfo.processInfo.environment["TASKTRACE_FUZZ_CASES"].flatMap(Int.init) ?? 200 }
    static var firstSeed: UInt64 { ProcessInfo.processInfo.environment["TASKTRACE_FUZZ_SEED"].flatMap(UInt64.init) ?? 1 }

    /// Writes `trace` to a file, replacing the chosen names by invalid UTF-8 through a plain SQLite connection.
    static func write(_ trace: RandomTrace, to path: String) throws {
        let writer = try TraceWriter(path: path)
        try writer.setMeta(trace.meta)
        try writer.write(
            TraceBatch(
                transitions: trace.transitions, tasks: trace.tasks, threads: trace.threads, marks: trace.marks,
                untrackedJobs: trace.untrackedJobs
            )
        )
        try writer.finish(meta: [MetaKey.endedUnixNs: "1"])
        guard !trace.invalidUTF8Names.isEmpty else { return }
        let connection = try SQLiteConnection(path: path, mode: .readWriteCreate)
        let ids = trace.invalidUTF8Names.map(String.init).joined(separator: ",")
        // `tasks` is a view since format version 4: the editing triggers take the UPDATE.
        try connection.execute(TraceSchema.editThroughViews)
        try connection.execute("UPDATE tasks SET name = CAST(X'3CFF80C0AF3E' || X'00' || X'E282' AS TEXT) WHERE id IN (\(ids))")
    }

    static func export(_ format: ExportFormat, _ timeline: Timeline) throws -> [UInt8] {
        var out = ByteWriter.collecting()
        switch format {
        case .chrome: try ChromeTraceExporter.write(timeline, to: &out)
        case .svg: try SVGGanttExporter.write(timeline, to: &out)
        case .html: try HTMLViewerExporter.write(timeline, to: &out, findings: timeline.findings())
        }
        return out.bytes
    }

    static func isWellFormedXML(_ bytes: [UInt8]) -> (Bool, String) {
        #if canImport(FoundationXML) || canImport(Darwin)
        let parser = XMLParser(data: Data(bytes))
        let ok = parser.parse()
        return (ok, parser.parserError.map { "\($0)" } ?? "")
        #else
        return (true, "")
        #endif
    }

    @Test("seeded random traces: checker accepts, JSON parses, SVG well-formed, no markup from the trace verbatim")
    func randomTraces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var failures = 0
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.cases)) where failures < 5 {
            let trace = RandomTrace(seed: seed)
            let path = directory.appendingPathComponent("fuzz-\(seed).sqlite").path
            try Self.write(trace, to: path)

            let report = TraceChecker.check(path: path)
            if !report.isValid { failures += 1 }
            #expect(report.isValid, "seed \(seed): \(report.problems.prefix(3))")

            let reader = try TraceReader(path: path)
            var builder = TimelineBuilder(
                tasks: try reader.tasks(), threads: try reader.threads(), marks: try reader.marks(),
                untrackedJobs: try reader.untrackedJobs(), meta: try reader.meta()
            )
            try reader.forEachTransition { builder.add($0) }
            let timeline = builder.finish()
            #expect(timeline.tasks.count == trace.tasks.count, "seed \(seed)")

            let chrome = try Self.export(.chrome, timeline)
            let parsed = try? JSONSerialization.jsonObject(with: Data(chrome))
            if parsed == nil { failures += 1 }
            #expect(parsed != nil, "seed \(seed): the Chrome JSON does not parse")

            let svg = try Self.export(.svg, timeline)
            let (wellFormed, why) = Self.isWellFormedXML(svg)
            if !wellFormed { failures += 1 }
            #expect(wellFormed, "seed \(seed): the SVG is not well-formed XML: \(why)")

            let html = try Self.export(.html, timeline)
            #expect(html.count > 100, "seed \(seed)")
            for (format, bytes) in [("svg", svg), ("html", html)] {  // JSON strings may hold `<` legally
                let text = String(decoding: bytes, as: UTF8.self)
                for raw in trace.markupTexts where text.contains(raw) {
                    failures += 1
                    Issue.record("seed \(seed): \(format) contains trace text verbatim: \(raw.prefix(60))")
                }
            }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test("the generator is reproducible: one seed, one trace")
    func reproducible() {
        let first = RandomTrace(seed: 77)
        let second = RandomTrace(seed: 77)
        #expect(first.transitions == second.transitions && first.tasks == second.tasks && first.marks == second.marks)
        #expect(RandomTrace(seed: 78).transitions != first.transitions)
    }
}
