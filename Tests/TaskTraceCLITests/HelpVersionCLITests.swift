import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@Suite("tasktrace binary: help, version, info")
struct HelpVersionCLITests {
    @Test func versionPrintsToolVersion() async throws {
        let output = try await CLIRunner.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == TraceFormat.toolVersion)
    }

    @Test func helpListsUsageAndSubcommands() async throws {
        let output = try await CLIRunner.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("USAGE: tasktrace"))
        #expect(output.stdout.contains("info"))
    }

    @Test("a bad flag is one line on stderr and exit code 64, for the root and for subcommands")
    func badFlagsAreOneLine() async throws {
        for arguments in [["--frobnicate"], ["record", "demo", "--workers", "abc"], ["export"]] {
            let output = try await CLIRunner.run(arguments)
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stderr.hasPrefix("tasktrace: "), "\(arguments): \(output.stderr)")
            #expect(output.stderr.filter { $0 == "\n" }.count == 1, "\(arguments): \(output.stderr)")
        }
        await #expect(try CLIRunner.run(["--frobnicate"]).stderr.contains("--frobnicate"))
    }

    @Test func infoOnMissingFileIsOneClearLine() async throws {
        let output = try await CLIRunner.run(["info", "/nonexistent/trace.sqlite"])
        #expect(output.status == 1)
        #expect(output.stderr == "tasktrace: /nonexistent/trace.sqlite: no such file\n")
        #expect(output.stdout.isEmpty)
    }

    @Test func infoOnTextFileSaysNotATrace() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("plain text".utf8).write(to: url)
        let output = try await CLIRunner.run(["info", url.path])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("tasktrace: "))
        #expect(output.stderr.contains("not a tasktrace file"))
        #expect(output.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func infoPrintsCountsOfARealTrace() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try TraceWriter(path: url.path)
        try writer.write(
            TraceBatch(
                transitions: [
                    TransitionRecord(taskID: 1, timestamp: 0, state: .created),
                    TransitionRecord(taskID: 1, timestamp: 5, state: .scheduled),
                ],
                tasks: [TaskRecord(id: 1, name: "main", kind: .root)]
            )
        )
        try writer.finish()
        let output = try await CLIRunner.run(["info", url.path])
        #expect(output.status == 0)
        #expect(output.stdout.contains("tasks: 1"))
        #expect(output.stdout.contains("transitions: 2"))
        #expect(output.stdout.contains("format_version: \(TraceFormat.version)"))
    }
}
