import TaskTrace
import TaskTraceDemo

/// Records demo scenarios in-process into an `InMemoryTraceSink`, as `tasktrace record demo` does into SQLite.
enum DemoRecording {
    struct Recording {
        let sink: InMemoryTraceSink
        let shape: TraceShape
        let outcomes: [DemoRunner.Outcome]
        /// Wall time of the whole recording.
        let wallTime: Duration
    }

    /// Runs the scenarios called `names` (all of them must exist) under a root task `demo`.
    static func record(_ names: [String], workers: Int = 1, seed: UInt64 = 42) async throws -> Recording {
        let scenarios = names.compactMap(DemoScenarios.named)
        precondition(scenarios.count == names.count, "unknown scenario in \(names)")
        return try await record(scenarios: scenarios, workers: workers, seed: seed)
    }

    /// Runs `scenarios` under a root task `demo`.
    static func record(scenarios: [DemoScenario], workers: Int = 1, seed: UInt64 = 42) async throws -> Recording {
        let sink = InMemoryTraceSink()
        let options = DemoOptions(seed: seed, loadTasks: 200)
        let started = ContinuousClock.now
        let outcomes = try await TaskTrace.record(into: sink, workers: workers, name: "demo") { runtime in
            await DemoRunner.run(scenarios, runtime: runtime, options: options)
        }
        let wallTime = ContinuousClock.now - started
        return Recording(sink: sink, shape: TraceShape(sink), outcomes: outcomes, wallTime: wallTime)
    }
}
