import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// `tasktrace record demo`, run as a user would: the built binary in a temporary directory.
@Suite("tasktrace binary: record demo", .serialized)
struct RecordDemoCLITests {
    /// The default scenarios, as the issue names them.
    static let defaultScenarios = [
        "coroutine", "create-task", "many-tasks", "gather", "wait-all", "wait-first-completed",
        "wait-first-exception", "wait-for-timeout", "shield", "blocking", "exceptions", "cancellation",
        "common-errors", "crawler",
    ]

    @Test func defaultRunWritesTraceAndHTMLInTheCurrentDirectory() async throws {
        let directory = try ScratchDirectory()
        // An existing file at the output path is replaced.
        try Data("not a trace".utf8).write(to: directory.url.appendingPathComponent("demo.sqlite"))

        let output = try await CLIRunner.run(["record", "demo"], in: directory.url)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("demo.sqlite"))
        #expect(output.stdout.contains("demo.html"))
        #expect(output.stdout.contains("tasks: "))
        #expect(output.stdout.contains("dropped events: "))

        let reader = try TraceReader(path: directory.path("demo.sqlite"))
        // The writer's CPU, as the file states it, in the summary.
        let writerNanos = try #require(try reader.meta()[MetaKey.writerCPUNs].flatMap { Double($0) })
        #expect(output.stdout.contains(String(format: "writer CPU: %.1f ms", writerNanos / 1e6)), "\(output.stdout)")
        let tasks = try reader.tasks()
        let names = Set(tasks.compactMap(\.name))
        let scenarioTasks = Self.defaultScenarios.filter(names.contains)
        #expect(scenarioTasks.count >= 10, "scenario tasks: \(scenarioTasks)")
        var states: Set<TaskState> = []
        try reader.forEachTransition { states.insert($0.state) }
        #expect(states == Set(TaskState.allCases), "states: \(states.map(\.name).sorted())")

        let html = try String(contentsOfFile: directory.path("demo.html"), encoding: .utf8)
        #expect(!html.isEmpty)
        for scenario in Self.defaultScenarios {
            #expect(html.contains(scenario), "HTML lacks \(scenario)")
        }
    }

    @Test func outputScenarioAndNoHTMLFlags() async throws {
        let directory = try ScratchDirectory()
        try directory.makeSubdirectory("traces")
        let output = try await CLIRunner.run(
            [
                "record", "demo", "--output", "traces/run.sqlite", "--scenario", "shield", "gather",
                "--workers", "4", "--no-html", "--seed", "9",
            ],
            in: directory.url
        )
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path("traces/run.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: directory.path("traces/run.html")))
        let reader = try TraceReader(path: directory.path("traces/run.sqlite"))
        let names = Set(try reader.tasks().compactMap(\.name))
        #expect(names.contains("shield") && names.contains("gather"))
        #expect(!names.contains("crawler"))
        #expect(try reader.meta()[MetaKey.workers] == "4")
    }

    @Test func listNamesEveryScenario() async throws {
        let output = try await CLIRunner.run(["record", "demo", "--list"])
        #expect(output.status == 0)
        for scenario in Self.defaultScenarios + ["load"] {
            #expect(output.stdout.contains(scenario))
        }
    }

    @Test(arguments: [
        (["--scenario", "no-such-scenario"], "no-such-scenario"),
        (["--workers", "0"], "--workers"),
        (["--output", "/nonexistent-dir/demo.sqlite"], "/nonexistent-dir"),
        (["--tasks", "0", "--scenario", "load"], "--tasks"),
    ])
    func badFlagsAreOneClearLine(arguments: [String], mentions: String) async throws {
        let directory = try ScratchDirectory()
        let output = try await CLIRunner.run(["record", "demo"] + arguments, in: directory.url)
        #expect(output.status != 0)
        #expect(output.stderr.hasPrefix("tasktrace: "), "stderr: \(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1, "stderr: \(output.stderr)")
        #expect(output.stderr.contains(mentions))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(leftovers.isEmpty, "files written: \(leftovers)")
    }
}

/// A fresh directory under the system temp dir, removed when the test is done with it.
private struct ScratchDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func makeSubdirectory(_ name: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(name), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
