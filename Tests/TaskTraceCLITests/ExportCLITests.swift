import Foundation
import Testing

/// `tasktrace export` and `tasktrace sample-trace`, run as a user would.
@Suite("tasktrace export")
struct ExportCLITests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    /// A fresh directory holding a freshly generated sample trace at `trace.sqlite`.
    final class Workspace {
        let url: URL
        init() async throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let output = try await CLIRunner.run(["sample-trace", path("trace.sqlite")])
            #expect(output.status == 0, "\(output.stderr)")
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    @Test(arguments: ["json", "svg", "html"])
    func exportMatchesCommittedSampleAndInfersTheFormat(ext: String) async throws {
        let workspace = try await Workspace()
        let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-o", workspace.path("out.\(ext)")])
        #expect(output.status == 0 && output.stderr.isEmpty, "\(output.stderr)")
        let written = try Data(contentsOf: URL(fileURLWithPath: workspace.path("out.\(ext)")))
        let committed = try Data(contentsOf: Self.samples.appendingPathComponent("sample.\(ext)"))
        #expect(written == committed)
        #expect(try workspace.contents() == ["out.\(ext)", "trace.sqlite"])
    }

    @Test func writesToStandardOutputWithDash() async throws {
        let workspace = try await Workspace()
        let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "--format", "chrome", "--output", "-"])
        #expect(output.status == 0)
        #expect(output.stdout.hasPrefix("{\"traceEvents\":["))
        let missingFormat = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-o", "-"])
        #expect(missingFormat.status != 0 && missingFormat.stderr.contains("--format is required"))
    }

    @Test func defaultOutputIsTheTraceWithTheFormatsExtension() async throws {
        let workspace = try await Workspace()
        let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "--format", "svg"])
        #expect(output.status == 0)
        #expect(try workspace.contents() == ["trace.sqlite", "trace.svg"])
    }

    @Test func windowAndFilterNarrowTheExport() async throws {
        let workspace = try await Workspace()
        let output = try await CLIRunner.run([
            "export", workspace.path("trace.sqlite"), "-f", "chrome", "-o", "-", "--from", "0.1ms", "--to", "200us",
            "--filter", "db-query",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let other = root?["otherData"] as? [String: String]
        #expect(other?["export.tasks"] == "5")
        #expect(other?["export.from_ns"] == "100000" && other?["export.to_ns"] == "200000")
    }

    /// `-o NAME.json.gz` is the committed sample's Chrome JSON, gzipped (checked with Debian's `gzip -dc`).
    @Test func jsonGzIsTheSameJSONGzipped() async throws {
        let workspace = try await Workspace()
        let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-o", workspace.path("out.json.gz")])
        #expect(output.status == 0 && output.stderr.isEmpty, "\(output.stderr)")
        let packed = try Data(contentsOf: URL(fileURLWithPath: workspace.path("out.json.gz")))
        #expect(packed.prefix(2) == Data([0x1F, 0x8B]))
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", workspace.path("out.json.gz")]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let plain = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        #expect(gunzip.terminationStatus == 0)
        #expect(plain == (try Data(contentsOf: Self.samples.appendingPathComponent("sample.json"))))
        #expect(packed.count * 4 < plain.count)
    }

    /// `--all-flows` reaches the Chrome exporter: its `otherData` names the fan-out limit it applied.
    @Test func allFlowsLiftsTheFanOutLimit() async throws {
        let workspace = try await Workspace()
        for (flags, limit) in [([String](), "64"), (["--all-flows"], "none (all flows)")] {
            let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-f", "chrome", "-o", "-"] + flags)
            #expect(output.status == 0, "\(output.stderr)")
            let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
            #expect((root?["otherData"] as? [String: String])?["export.spawn_arrow_fan_out_limit"] == limit)
        }
    }

    /// `--worker-lanes` and `--state-colors` reach the Chrome exporter: process 2 "Threads" and a `cname` on every
    /// slice appear only with them.
    @Test func workerLanesAndStateColorsAreOptIn() async throws {
        let workspace = try await Workspace()
        for flags in [[String](), ["--worker-lanes", "--state-colors"]] {
            let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-f", "chrome", "-o", "-"] + flags)
            #expect(output.status == 0, "\(output.stderr)")
            let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
            let events = root?["traceEvents"] as? [[String: Any]] ?? []
            let slices = events.filter { $0["ph"] as? String == "X" }
            #expect(!slices.isEmpty)
            #expect(events.contains { $0["pid"] as? Int == 2 } == !flags.isEmpty)
            #expect(slices.allSatisfy { ($0["cname"] != nil) == !flags.isEmpty })
        }
    }

    @Test func inputIsNeverModified() async throws {
        let workspace = try await Workspace()
        let before = try Data(contentsOf: URL(fileURLWithPath: workspace.path("trace.sqlite")))
        for format in ["chrome", "svg", "html"] {
            _ = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "--format", format, "-o", workspace.path("x")])
        }
        let refused = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-f", "chrome", "-o", workspace.path("trace.sqlite")])
        #expect(refused.status != 0 && refused.stderr.contains("refusing to overwrite the input trace"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("trace.sqlite"))) == before)
    }

    @Test(arguments: [
        (["export", "/nonexistent/trace.sqlite", "-o", "/tmp/x.json"], "tasktrace: /nonexistent/trace.sqlite: no such file\n"),
        (["export", "TRACE", "--format", "png"], "tasktrace: unknown format 'png'; use chrome, svg or html\n"),
        (["export", "TRACE", "-o", "DIR/out.txt"], "tasktrace: cannot tell the format from 'DIR/out.txt'; add --format chrome, svg or html\n"),
        (["export", "TRACE", "-o", "DIR/out.json", "--from", "soon"], "tasktrace: --from 'soon' is not a time; use e.g. 1.5ms, 200us, 2s or nanoseconds\n"),
        (["export", "TRACE", "-o", "DIR/out.json", "--from", "2ms", "--to", "1ms"], "tasktrace: --from (2ms) is after --to (1ms)\n"),
        (["export", "TRACE", "-o", "DIR/missing/out.json"], "tasktrace: DIR/missing/out.json: cannot write the export (No such file or directory)\n"),
        (["export", "TRACE", "-f", "svg", "-o", "DIR"], "tasktrace: DIR: cannot write the export (it is a directory)\n"),
        (["export", "TRACE", "-f", "svg", "-o", "TRACE-wal"],
         "tasktrace: TRACE-wal: refusing to overwrite the input trace (TRACE-wal); choose another output path\n"),
        (["export", "TRACE", "-f", "svg", "-o", "DIR/./trace.sqlite-journal"],
         "tasktrace: DIR/./trace.sqlite-journal: refusing to overwrite the input trace (TRACE-journal); choose another output path\n"),
        (["export", "TRACE", "-o", "DIR/out.json", "--to", "18446744073.9999999999s"],
         "tasktrace: --to '18446744073.9999999999s' is not a time; use e.g. 1.5ms, 200us, 2s or nanoseconds\n"),
        (["export", "TRACE", "-o", "DIR/out.json", "--from", "1000s"],
         "tasktrace: --from (1000s) is after the end of the trace (1.424ms)\n"),
        (["export", "TRACE", "--format", "pdf\nx"], "tasktrace: unknown format 'pdf\\nx'; use chrome, svg or html\n"),
        (["export", "TRACE", "-o", "DIR/out.svg", "--all-flows"], "tasktrace: --all-flows applies to --format chrome only\n"),
        (["export", "TRACE", "-o", "DIR/out.html", "--worker-lanes"], "tasktrace: --worker-lanes applies to --format chrome only\n"),
        (["export", "TRACE", "-o", "DIR/out.svg", "--state-colors"], "tasktrace: --state-colors applies to --format chrome only\n"),
        (["export", "TRACE", "-f", "svg", "-o", "DIR/out.svg.gz"], "tasktrace: DIR/out.svg.gz: gzip output (.gz) is for Chrome JSON only\n"),
    ])
    func badInputIsOneClearLine(arguments: [String], expected: String) async throws {
        let workspace = try await Workspace()
        let fill = { (text: String) in
            text.replacingOccurrences(of: "TRACE", with: workspace.path("trace.sqlite"))
                .replacingOccurrences(of: "DIR", with: workspace.url.path)
        }
        let output = try await CLIRunner.run(arguments.map(fill))
        #expect(output.status == 1)
        #expect(output.stderr == fill(expected))
        #expect(try workspace.contents() == ["trace.sqlite"])
    }

    @Test func notATraceIsRefused() async throws {
        let workspace = try await Workspace()
        try Data("hello".utf8).write(to: URL(fileURLWithPath: workspace.path("text.sqlite")))
        let output = try await CLIRunner.run(["export", workspace.path("text.sqlite"), "-o", workspace.path("out.json")])
        #expect(output.status == 1)
        #expect(output.stderr == "tasktrace: \(workspace.path("text.sqlite")): not a tasktrace file (not an SQLite database)\n")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out.json")))
    }

    @Test func failedExportLeavesNoFileBehind() async throws {
        let workspace = try await Workspace()
        let full = "/dev/full"
        guard FileManager.default.fileExists(atPath: full) else { return }
        let output = try await CLIRunner.run(["export", workspace.path("trace.sqlite"), "-o", full, "-f", "chrome"])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("tasktrace: /dev/full: cannot write the export"))
        #expect(try workspace.contents() == ["trace.sqlite"])
    }

    @Test("info escapes control characters from the trace instead of sending them to the terminal")
    func infoIsTerminalSafe() async throws {
        let workspace = try await Workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [
            workspace.path("trace.sqlite"), "UPDATE meta SET value = 'vm' || char(27) || '[2J' || char(10) || 'fake: 1' WHERE key = 'host'",
        ]
        try process.run()
        process.waitUntilExit()
        let output = try await CLIRunner.run(["info", workspace.path("trace.sqlite")])
        #expect(output.status == 0)
        #expect(output.stdout.contains("host: vm\\u{1B}[2J\\nfake: 1\n"))
        #expect(!output.stdout.contains("\u{1B}"))
    }
}
