import Foundation
import TaskTraceStore
import Testing

/// `tasktrace stats`, `lint` and `critical-path`, run as a user (or a CI job) would, on real recordings.
@Suite("tasktrace binary: stats, lint, critical-path", .serialized)
struct AnalysisCLITests {
    /// A fresh directory; `record(_:)` writes a demo trace of the named scenarios into it.
    final class Workspace {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tasktrace-analysis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        /// Records `scenarios` to `NAME.sqlite` and returns its path.
        func record(_ name: String, _ scenarios: [String]) async throws -> String {
            let output = try await CLIRunner.run(
                ["record", "demo", "--no-html", "--output", path("\(name).sqlite"), "--scenario"] + scenarios)
            #expect(output.status == 0, "\(output.stderr)")
            return path("\(name).sqlite")
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func failOnExitsTwoOnlyWhenFindingsReachTheLevel() async throws {
        let workspace = try Workspace()
        let withError = try await workspace.record("errors", ["exceptions"])
        let infoOnly = try await workspace.record("timeout", ["wait-for-timeout"])
        let clean = try await workspace.record("clean", ["coroutine"])
        let cases: [(String, [String], Int32)] = [
            (withError, [], 0), (withError, ["--fail-on", "error"], 2), (withError, ["--fail-on", "warning"], 2),
            (infoOnly, ["--fail-on", "warning"], 0), (infoOnly, ["--fail-on", "info"], 2),
            (clean, ["--fail-on", "info"], 0),
        ]
        for (trace, flags, status) in cases {
            let output = try await CLIRunner.run(["lint", trace] + flags)
            #expect(output.status == status, "lint \(trace) \(flags): \(output.stderr)")
            #expect(output.stderr.isEmpty)
        }
        let report = try await CLIRunner.run(["lint", withError])
        #expect(report.stdout.contains("error[error-never-retrieved] send-metrics #"))
        #expect(report.stdout.contains("TaskTraceDemo/ErrorScenarios.swift:"))
        #expect(report.stdout.contains("fix: "))
        await #expect(try CLIRunner.run(["lint", clean]).stdout.hasSuffix("no findings\n"))
    }

    @Test func recordDemoCountsTheFindingsAndNamesTheTopOne() async throws {
        let workspace = try Workspace()
        let output = try await CLIRunner.run(
            [
                "record", "demo", "--no-html", "--output", workspace.path("d.sqlite"), "--scenario", "blocking",
                "exceptions",
            ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("lint: "), "\(output.stdout)")
        #expect(output.stdout.contains("1 error"))
        #expect(output.stdout.contains("top finding: error[error-never-retrieved] send-metrics #"))
    }

    @Test func lintJSONIsTheDocumentedShape() async throws {
        let workspace = try Workspace()
        let trace = try await workspace.record("errors", ["exceptions", "blocking"])
        let output = try await CLIRunner.run(["lint", trace, "--json", "--blocking-threshold", "50"])
        #expect(output.status == 0, "\(output.stderr)")
        let root = try Self.json(output.stdout)
        #expect(root["format"] as? String == "tasktrace-lint" && root["version"] as? Int == 1)
        let thresholds = try #require(root["thresholds_ns"] as? [String: Any])
        #expect(thresholds["blocking"] as? Int == 50_000_000 && thresholds["starvation"] as? Int == 100_000_000)
        let findings = try #require(root["findings"] as? [[String: Any]])
        let first = try #require(findings.first)
        #expect(first["rule"] as? String == "error-never-retrieved" && first["severity"] as? String == "error")
        #expect((first["task_name"] as? String)?.hasPrefix("send-metrics #") ?? false)
        for key in ["task_id", "time_ns", "duration_ns", "spawn_site", "message", "suggestion", "related_task_ids"] {
            #expect(first.keys.contains(key), "missing \(key)")
        }
        #expect(findings.contains { $0["rule"] as? String == "blocking-job" })
        let counts = try #require(root["counts"] as? [String: Int])
        #expect(counts["error"] == 1 && counts.values.reduce(0, +) == findings.count)
        let traceInfo = try #require(root["trace"] as? [String: Any])
        #expect(traceInfo["exact"] as? Bool == true && traceInfo["cut_short"] as? Bool == false)
    }

    @Test func statsAddUpSortAndLimit() async throws {
        let workspace = try Workspace()
        let trace = try await workspace.record("gather", ["gather", "blocking"])
        let output = try await CLIRunner.run(["stats", trace, "--json", "--all", "--by-name", "--threads"])
        #expect(output.status == 0, "\(output.stderr)")
        let root = try Self.json(output.stdout)
        #expect(root["format"] as? String == "tasktrace-stats" && root["version"] as? Int == 1)
        let tasks = try #require(root["tasks"] as? [[String: Any]])
        #expect(tasks.count == (root["trace"] as? [String: Any])?["tasks"] as? Int)
        for task in tasks {
            let parts = ["created_ns", "scheduled_ns", "running_ns", "suspended_ns"].compactMap { task[$0] as? Int }
            #expect(parts.count == 4 && parts.reduce(0, +) == task["lifetime_ns"] as? Int, "\(task)")
        }
        let groups = try #require(root["by_name"] as? [[String: Any]])
        #expect(groups.contains { $0["name"] as? String == "square-#" && $0["count"] as? Int == 10 })
        let threads = try #require(root["threads"] as? [[String: Any]])
        #expect(threads.contains { $0["kind"] as? String == "worker" && ($0["jobs"] as? Int ?? 0) > 0 })

        let top = try await Self.json(try CLIRunner.run(["stats", trace, "--json", "--sort", "busy", "--top", "3"]).stdout)
        let busy = try #require(top["tasks"] as? [[String: Any]]).compactMap { $0["running_ns"] as? Int }
        #expect(busy.count == 3 && busy == busy.sorted(by: >))
        #expect(busy.first == tasks.compactMap { $0["running_ns"] as? Int }.max())

        let table = try await CLIRunner.run(["stats", trace, "--top", "5"])
        #expect(table.stdout.contains("NAME") && table.stdout.contains("BUSY") && table.stdout.contains("more tasks"))
        #expect(table.stdout.contains("demo"))
    }

    @Test func criticalPathOfTheRootAndOfAChosenTask() async throws {
        let workspace = try Workspace()
        let trace = try await workspace.record("seq", ["coroutine", "create-task"])
        let root = try await Self.json(try CLIRunner.run(["critical-path", trace, "--json"]).stdout)
        #expect(root["format"] as? String == "tasktrace-critical-path")
        let paths = try #require(root["paths"] as? [[String: Any]])
        #expect(paths.count == 1)
        let path = try #require(paths.first)
        #expect((path["task_name"] as? String)?.hasPrefix("demo #") ?? false)
        let shares = try #require(path["tasks"] as? [[String: Any]])
        #expect(shares.compactMap { $0["time_ns"] as? Int }.reduce(0, +) == path["duration_ns"] as? Int)
        let names = shares.compactMap { $0["task_name"] as? String }
        // The demo awaits each scenario in turn, and create-task awaits say-after: all on the path.
        for name in ["coroutine #", "create-task #", "say-after #"] {
            #expect(names.contains { $0.hasPrefix(name) }, "\(names)")
        }
        let sayAfter = try #require(shares.first { ($0["task_name"] as? String)?.hasPrefix("say-after") ?? false })
        let id = try #require(sayAfter["task_id"] as? Int)
        let one = try await CLIRunner.run(["critical-path", trace, "--task", String(id)])
        #expect(one.status == 0 && one.stdout.contains("critical path of say-after #\(id)"))
    }

    @Test(arguments: [
        (["lint", "TRACE", "--blocking-threshold", "-5"], "--blocking-threshold"),
        (["lint", "TRACE", "--starvation-threshold", "abc"], "--starvation-threshold"),
        (["lint", "TRACE", "--cancellation-threshold", "0"], "--cancellation-threshold"),
        (["lint", "TRACE", "--fail-on", "fatal"], "--fail-on"),
        (["stats", "TRACE", "--sort", "cpu"], "--sort"),
        (["stats", "TRACE", "--top", "0"], "--top"),
        (["critical-path", "TRACE", "--task", "abc"], "--task"),
        (["critical-path", "TRACE", "--task", "999999999"], "no task with id"),
        (["lint", "MISSING"], "MISSING"),
        (["stats", "NOT_SQLITE"], "NOT_SQLITE"),
        (["critical-path", "DAMAGED"], "DAMAGED"),
        (["lint", "DAMAGED", "--json"], "DAMAGED"),
    ])
    func badInputIsOneClearLine(arguments: [String], mentions: String) async throws {
        let workspace = try Workspace()
        let sample = try await CLIRunner.run(["sample-trace", workspace.path("trace.sqlite")])
        #expect(sample.status == 0)
        try Data("not a trace".utf8).write(to: URL(fileURLWithPath: workspace.path("plain.sqlite")))
        // A damaged row: an end code outside 0…6.
        _ = try await CLIRunner.run(["sample-trace", workspace.path("damaged.sqlite")])
        try Self.sqlite(
            workspace.path("damaged.sqlite"),
            "UPDATE job_log SET end_code = 9 WHERE seq = (SELECT min(seq) FROM job_log WHERE end_code IS NOT NULL)")
        let replacements = [
            "TRACE": workspace.path("trace.sqlite"), "MISSING": workspace.path("missing.sqlite"),
            "NOT_SQLITE": workspace.path("plain.sqlite"), "DAMAGED": workspace.path("damaged.sqlite"),
        ]
        let output = try await CLIRunner.run(arguments.map { replacements[$0] ?? $0 })
        #expect(output.status != 0 && output.status != 2)
        #expect(output.stderr.hasPrefix("tasktrace: "), "stderr: \(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1, "stderr: \(output.stderr)")
        #expect(
            output.stderr.contains(
                replacements[mentions].map { URL(fileURLWithPath: $0).lastPathComponent } ?? mentions))
        #expect(output.stdout.isEmpty)
    }

    /// Runs one statement with the `sqlite3` shell (installed by scripts/install-system-deps.sh).
    static func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", path, TraceSchema.editThroughViews + sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
