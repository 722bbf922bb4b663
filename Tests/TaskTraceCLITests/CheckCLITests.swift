import Foundation
import TaskTraceStore
import Testing

/// `tasktrace check`, run as a user would: exit status, the text lines and the JSON shape.
@Suite("tasktrace check")
struct CheckCLITests {
    @Test("a valid trace: exit 0, warnings listed, one verdict line")
    func validTrace() async throws {
        let workspace = try await ExportCLITests.Workspace()
        let output = try await CLIRunner.run(["check", workspace.path("trace.sqlite")])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        // The synthetic sample records 3 dropped events (SampleTrace), 20 tasks, 2 of them unfinished.
        #expect(
            output.stdout == """
                warning: dropped_events = 3: events lost because the recorder's buffer was full: the timeline is incomplete
                \(workspace.path("trace.sqlite")): valid (20 tasks, 118 transitions, 2 unfinished; 1 warning)

                """
        )
    }

    @Test("a damaged trace: exit 1, each problem with its task; --json has the documented shape")
    func damagedTrace() async throws {
        let workspace = try await ExportCLITests.Workspace()
        let trace = workspace.path("trace.sqlite")
        let sql = Process()
        sql.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        // The first job that ended gets an end code that is no state.
        let firstEnded = "(SELECT min(seq) FROM job_log WHERE end_code IS NOT NULL)"
        sql.arguments = [
            trace,
            TraceSchema.editThroughViews
                + "UPDATE tasks SET parent_id = id WHERE id = 5; UPDATE job_log SET end_code = 9 WHERE seq = \(firstEnded)",
        ]
        try sql.run()
        sql.waitUntilExit()
        let firstTask = try #require(LiveTrace.value(trace, "SELECT task_id FROM job_log WHERE seq = \(firstEnded)"))

        let text = try await CLIRunner.run(["check", trace])
        #expect(text.status == 1)
        #expect(text.stdout.contains("error: task 5: its parents form a cycle of 1 task (5)\n"), "\(text.stdout)")
        #expect(text.stdout.contains("error: task \(firstTask): "), "\(text.stdout)")
        #expect(text.stdout.split(separator: "\n").last?.contains("NOT valid: ") == true)

        let json = try await CLIRunner.run(["check", trace, "--json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(report.keys) == ["counts", "errors", "format_version", "omitted", "path", "problems", "valid", "warnings"])
        #expect(report["valid"] as? Bool == false)
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.allSatisfy { Set($0.keys) == ["code", "message", "severity", "task_id"] })
        #expect(problems.contains { $0["code"] as? String == "parent_cycle" && $0["task_id"] as? Int == 5 })
    }

    @Test("not a trace: one line on stderr, exit 1; a directory 'is a directory'")
    func notATrace() async throws {
        let workspace = try await ExportCLITests.Workspace()
        let output = try await CLIRunner.run(["check", workspace.url.path])
        #expect(output.status == 1)
        #expect(output.stderr == "tasktrace: \(workspace.url.path): is a directory, not a trace file\n")
        #expect(output.stdout.isEmpty)
        for command in [["info"], ["export", "-o", workspace.path("x.json")]] {
            let other = try await CLIRunner.run([command[0], workspace.url.path] + command.dropFirst())
            #expect(other.stderr == "tasktrace: \(workspace.url.path): is a directory, not a trace file\n")
        }
        let json = try await CLIRunner.run(["check", workspace.path("missing.sqlite"), "--json"])
        #expect(json.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["format_version"] is NSNull)
        #expect((report?["problems"] as? [[String: Any]])?.first?["code"] as? String == "unreadable")
    }
}
