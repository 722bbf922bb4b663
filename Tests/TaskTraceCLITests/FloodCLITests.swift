import Foundation
import TaskTraceStore
import Testing

/// A flood: `record demo --scenario flood` starts a million trivial task-group children, far more events than the
/// writer can store. The recording must finish (no deadlock), keep its memory bounded, count what it dropped in
/// `meta.dropped_events`, and every view must show that count: the CLI summary, `check`, the SVG note and the
/// Chrome trace's metadata (the HTML header is checked with the HTML exporter).
@Suite("Flood: a producer far faster than the writer", .serialized)
struct FloodCLITests {
    static let children = 1_000_000
    /// Peak resident memory allowed for the whole `record demo` process (recording plus the summary it reads
    /// back): the 40 MiB event buffer, the writer's per-task records, SQLite's cache and the program's one wave
    /// of children. Measured ~250 MiB for this run (docs/runtime.md, "Flood"); growing past this bound means
    /// memory follows the event rate instead of staying bounded.
    static let peakRSSBoundKiB = 600 * 1024

    @Test("a million children: finishes, bounded memory, drops counted and shown everywhere")
    func millionChildren() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-flood-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("flood.sqlite").path
        let child = try ChildProcess(
            CLIRunner.binaryURL.path,
            ["record", "demo", "--scenario", "flood", "--tasks", String(Self.children), "--workers", "2", "--no-html",
             "--output", trace],
            outputIn: folder.path
        )
        let exit = try #require(await child.wait(deadline: 300), "the flooded recording did not finish (deadlock?)")
        #expect(exit.status == 0, "\(exit): \(child.stderr)")
        print("flood: \(Self.children) children, peak RSS \(exit.maxRSSKiB / 1024) MiB")
        #expect(exit.maxRSSKiB < Self.peakRSSBoundKiB, "peak RSS \(exit.maxRSSKiB) KiB")

        // The count, from the file itself.
        let dropped = try #require(LiveTrace.int(trace, "SELECT value FROM meta WHERE key = 'dropped_events'"))
        #expect(dropped > 0, "a flood this size overflows the buffer")
        #expect(LiveTrace.value(trace, "SELECT count(*) FROM meta WHERE key = 'ended_unix_ns'") == "1")

        // The CLI summary shows it.
        #expect(child.stdout.contains("dropped events: \(dropped)"), "\(child.stdout)")
        // check: valid, with the drop count as a warning.
        let check = try await CLIRunner.run(["check", trace])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("warning: dropped_events = \(dropped):"), "\(check.stdout)")
        // The SVG's note (exports filtered to the scenario task: the count is trace-wide, the file stays small).
        let svg = try await CLIRunner.run(["export", trace, "-f", "svg", "-o", "-", "--filter", "flood"])
        #expect(svg.status == 0)
        #expect(svg.stdout.contains("recorder dropped \(dropped) events"))
        // The Chrome trace's metadata (otherData) and its label on the Tasks process.
        let chrome = try await CLIRunner.run(["export", trace, "-f", "chrome", "-o", "-", "--filter", "flood"])
        #expect(chrome.status == 0)
        let root = try JSONSerialization.jsonObject(with: Data(chrome.stdout.utf8)) as? [String: Any]
        #expect((root?["otherData"] as? [String: Any])?["dropped_events"] as? String == String(dropped))
        // The label names every integrity problem, drops first.
        #expect(chrome.stdout.contains("\"labels\":\"recorder dropped \(dropped) events"))
    }
}
