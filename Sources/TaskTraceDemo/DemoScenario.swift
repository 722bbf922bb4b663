public import TaskTrace

/// One built-in demo scenario: a short piece of plain async code that shows one asyncio concept on the runtime.
///
/// A scenario is run as its own task, named after it (see `DemoRunner`), so in the exported timeline each
/// scenario is one subtree under the recording's root. Scenarios only use the public runtime API and the
/// standard library; their sleeps and failures come from a `SplitMix64` seeded by `DemoOptions.seed`, so
/// the shape of a run is reproducible.
///
/// ```swift
/// let scenario = DemoScenarios.named("gather")
/// try await scenario?.run(runtime, DemoOptions(seed: 7))
/// ```
///
/// Thread-safe: immutable, and `run` may be called from any task, concurrently.
public struct DemoScenario: Sendable {
    /// The name used on the command line and as the scenario task's name, e.g. `wait-for-timeout`.
    public let name: String
    /// One line saying what the scenario shows.
    public let summary: String
    /// Whether `tasktrace record demo` runs it when no `--scenario` is given.
    public let isInDefaultSet: Bool
    private let body: @Sendable (TraceRuntime, DemoOptions) async throws -> Void

    /// Makes a scenario.
    /// - Parameters:
    ///   - name: command-line and task name; lowercase words joined by `-`.
    ///   - summary: one line for `--list`.
    ///   - isInDefaultSet: false for scenarios only run on request (`load`).
    ///   - body: the scenario's code; it runs inside the scenario task on the runtime.
    public init(
        name: String, summary: String, isInDefaultSet: Bool = true,
        body: @escaping @Sendable (TraceRuntime, DemoOptions) async throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.isInDefaultSet = isInDefaultSet
        self.body = body
    }

    /// Runs the scenario's code in the calling task; call it from a task on `runtime`.
    /// - Throws: only what the scenario does not handle itself (a bug in the scenario, or cancellation).
    public func run(_ runtime: TraceRuntime, _ options: DemoOptions) async throws {
        try await body(runtime, options)
    }
}
