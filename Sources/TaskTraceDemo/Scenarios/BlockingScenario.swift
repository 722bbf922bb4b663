import TaskTrace

/// A blocking call on the loop starves every other task; the same call on the blocking pool does not.
///
/// Task names are stable so tests and readers can find them: phase one runs `loop-ticker-1...3` while
/// `blocking-on-loop` blocks its worker thread; phase two runs `pool-ticker-1...3` while
/// `blocking-in-pool` blocks a thread of the blocking pool (`toThread`).
enum BlockingScenario {
    /// How long the blocking call holds its thread.
    static let blockMilliseconds = 120
    /// Ticks of each ticker, and the sleep between ticks.
    static let ticks = 16
    static let tickMilliseconds = 10

    static let scenario = DemoScenario(
        name: "blocking",
        summary: "a blocking call on the loop starves the others; through the blocking pool it does not"
    ) { runtime, _ in
        try await withTickers(runtime, prefix: "loop") {
            runtime.annotate("blocking the loop for \(blockMilliseconds) ms: the tickers wait in scheduled")
            try await runtime.spawn("blocking-on-loop") {
                DemoClock.blockThread(milliseconds: blockMilliseconds)
            }.value
        }
        try await withTickers(runtime, prefix: "pool") {
            runtime.annotate("the same call via toThread: the tickers keep running")
            try await runtime.toThread("blocking-in-pool") {
                DemoClock.blockThread(milliseconds: blockMilliseconds)
            }
        }
    }

    /// Starts three tickers (tasks that sleep briefly, over and over), runs `blockingWork` once they are
    /// ticking, and waits for the tickers to finish.
    private static func withTickers(
        _ runtime: TraceRuntime, prefix: String, blockingWork: @Sendable () async throws -> Void
    ) async throws {
        let tickers = (1...3).map { index in
            runtime.spawn("\(prefix)-ticker-\(index)") {
                for _ in 0..<ticks {
                    try await DemoClock.sleep(milliseconds: tickMilliseconds)
                }
            }
        }
        try await DemoClock.sleep(milliseconds: 25)
        try await blockingWork()
        _ = try await runtime.gather(tickers)
    }
}
