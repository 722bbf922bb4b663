import ArgumentParser
import Foundation
import TaskTrace
import TaskTraceDemo
import TaskTraceExport
import TaskTraceStore

/// `tasktrace record demo`: runs the built-in asyncio scenarios on the runtime, records them straight into
/// an SQLite trace, writes the HTML timeline beside it and prints a summary read back from the file.
struct RecordDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the built-in asyncio scenarios and record them to SQLite and HTML.",
        discussion: """
            Each scenario runs as a task named after it, one after another, under the root task `demo`. \
            Without --scenario the default set runs (a few seconds); `load` runs only when named.

            The trace is written as the demo runs, so a killed run keeps what was flushed so far. \
            The HTML timeline is written beside it, with the same name ending in .html.
            """
    )

    @Option(name: [.short, .long], help: "The trace file to write (replaced if it exists).")
    var output: String = "demo.sqlite"

    @Option(help: "Worker threads of the executor (1 behaves like asyncio's single-threaded loop).")
    var workers: Int = 1

    @Option(
        name: .customLong("scenario"), parsing: .upToNextOption,
        help: "Scenarios to run, in order (repeatable; see --list). Default: the default set."
    )
    var scenarios: [String] = []

    /// About 5 GB of memory at ~1.7 KB per task in flight: more would run the machine out of memory, not test it.
    static let maxLoadTasks = 3_000_000

    /// `flood` keeps one wave of children in flight, so its count is bounded by patience, not memory.
    static let maxFloodTasks = 100_000_000

    @Option(help: "Number of trivial tasks of the `load` (at most 3,000,000) and `flood` (100,000,000) scenarios.")
    var tasks: Int = 10_000

    @Option(help: "Seed of the scenarios' random sleeps and failures.")
    var seed: UInt64 = 42

    @Flag(name: .customLong("no-html"), help: "Do not write the HTML timeline.")
    var noHTML = false

    @Flag(help: "List the scenarios and exit.")
    var list = false

    /// The most worker threads accepted; more would only measure the machine's scheduler.
    static let maxWorkers = 256

    func run() async throws {
        if list {
            printScenarioList()
            return
        }
        let selection = try selectedScenarios()
        guard (1...Self.maxWorkers).contains(workers) else {
            throw CleanExit.failure("--workers must be between 1 and \(Self.maxWorkers), got \(workers)")
        }
        let taskLimit = selection.contains { $0.name == "load" } ? Self.maxLoadTasks : Self.maxFloodTasks
        guard tasks >= 1, tasks <= taskLimit else {
            throw CleanExit.failure("--tasks must be between 1 and \(taskLimit), got \(tasks)")
        }
        let paths = try DemoOutputPaths(output: output, writesHTML: !noHTML)
        let options = DemoOptions(seed: seed, loadTasks: tasks)
        let workerCount = workers
        let command = (["tasktrace"] + CommandLine.arguments.dropFirst()).joined(separator: " ")

        let started = ContinuousClock.now
        let tracePath = paths.trace
        let recording = Task {
            try await TaskTrace.record(to: tracePath, workers: workerCount, name: "demo", command: command) { runtime in
                await DemoRunner.run(selection, runtime: runtime, options: options)
            }
        }
        // Ctrl-C or SIGTERM: cancel the recording, which still finishes the trace file.
        let interrupt = RecordingInterrupt { recording.cancel() }
        let result = await recording.result
        let caught = interrupt.remove()
        let outcomes: [DemoRunner.Outcome]
        do {
            outcomes = try result.get()
        } catch let error as TraceStoreError {
            // Already names the file and says what was kept (full disk, file removed, another recording).
            throw CleanExit.failure(error.description)
        } catch is CancellationError where caught != nil {
            outcomes = []  // interrupted before the scenarios returned: reported below
        } catch {
            throw CleanExit.failure("\(paths.trace): recording failed: \(error)")
        }
        if let caught {
            CleanExit.printError("interrupted: the recording stopped early and the trace was finished: \(paths.trace)")
            throw ExitCode(128 + caught)
        }
        try RecordingReport.finish(
            paths: paths,
            headline: "recorded \(selection.count) scenario\(selection.count == 1 ? "" : "s") with \(workerCount) worker"
                + (workerCount == 1 ? "" : "s"),
            recording: ContinuousClock.now - started
        )

        let failures = outcomes.filter { $0.failure != nil }
        if !failures.isEmpty {
            for failure in failures {
                CleanExit.printError("scenario \(failure.name) failed: \(failure.failure ?? "")")
            }
            throw ExitCode(1)
        }
    }

    /// The scenarios to run, in the order given; the default set when none was named.
    private func selectedScenarios() throws -> [DemoScenario] {
        if scenarios.isEmpty { return DemoScenarios.defaultSet }
        return try scenarios.map { name in
            guard let scenario = DemoScenarios.named(name) else {
                throw CleanExit.failure(
                    "unknown scenario '\(name)' (known: \(DemoScenarios.names.joined(separator: ", ")))"
                )
            }
            return scenario
        }
    }

    private func printScenarioList() {
        let width = DemoScenarios.names.map(\.count).max() ?? 0
        for scenario in DemoScenarios.all {
            let padding = String(repeating: " ", count: width - scenario.name.count)
            let note = scenario.isInDefaultSet ? "" : " (not in the default set)"
            print("\(scenario.name)\(padding)  \(scenario.summary)\(note)")
        }
    }
}
