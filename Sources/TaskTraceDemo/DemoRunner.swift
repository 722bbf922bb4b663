public import TaskTrace

/// Runs demo scenarios one after another, each as a task named after it.
///
/// ```swift
/// try await TaskTrace.record(to: "demo.sqlite", name: "demo") { runtime in
///     await DemoRunner.run(DemoScenarios.defaultSet, runtime: runtime, options: DemoOptions())
/// }
/// ```
///
/// Thread-safe (stateless).
public enum DemoRunner {
    /// How one scenario ended.
    public struct Outcome: Sendable, Hashable {
        /// The scenario's name.
        public var name: String
        /// Description of the error the scenario task ended with, nil when it returned normally.
        public var failure: String?
    }

    /// Spawns each scenario as a task named after it on `runtime` and awaits it before the next one.
    ///
    /// Call it from a task running on `runtime` (the body of `TaskTrace.record`), so the scenario tasks are
    /// children of that task. A scenario that throws does not stop the others. Cancelling the calling task (an
    /// interrupted recording) cancels the running scenario and skips the rest, so the recording ends promptly.
    /// - Returns: one outcome per scenario, in order.
    public static func run(
        _ scenarios: [DemoScenario], runtime: TraceRuntime, options: DemoOptions
    ) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for scenario in scenarios {
            if Task.isCancelled { break }
            let task = runtime.spawn(scenario.name) {
                try await scenario.run(runtime, options)
            }
            let result = await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel(reason: "the recording was interrupted")
            }
            switch result {
            case .success:
                outcomes.append(Outcome(name: scenario.name, failure: nil))
            case .failure(let error):
                outcomes.append(Outcome(name: scenario.name, failure: "\(error)"))
            }
        }
        return outcomes
    }
}
