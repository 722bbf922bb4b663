import TaskTrace

/// Errors, cancellation, and the classic mistake of not awaiting one's tasks.
enum ErrorScenarios {
    /// One error retrieved and handled; one that nobody ever retrieves.
    static let exceptions = DemoScenario(
        name: "exceptions",
        summary: "an error retrieved and handled, and one never retrieved"
    ) { runtime, _ in
        let parse = runtime.spawn("parse-config") {
            try await DemoClock.sleep(milliseconds: 20)
            throw DemoError.invalidConfig("port must be a number")
        }
        do {
            try await parse.value
        } catch {
            runtime.annotate("handled: \(error)")
        }
        let metrics = runtime.spawn("send-metrics") {
            try await DemoClock.sleep(milliseconds: 10)
            throw DemoError.connectionRefused(host: "metrics.internal")
        }
        // Wait until it has ended without ever looking at its result: its error is never retrieved.
        for _ in 0..<400 where !metrics.isDone {
            try await DemoClock.sleep(milliseconds: 5)
        }
        runtime.annotate("send-metrics failed and nobody retrieved its error")
    }

    /// A task group cancelled midway: finished children stay done, the others end cancelled. The group is the
    /// runtime's traced one, so each child carries its name and its real outcome.
    static let cancellation = DemoScenario(
        name: "cancellation",
        summary: "a task group cancelled midway; its unfinished children end cancelled"
    ) { runtime, _ in
        let durations = [30, 50, 200, 250, 300, 350]
        let pool = runtime.spawn("worker-pool") {
            try await runtime.withThrowingTaskGroup(of: Void.self) { group in
                for (index, duration) in durations.enumerated() {
                    group.addTask(name: "resize-image-\(index + 1)") {
                        try await DemoClock.sleep(milliseconds: duration)
                    }
                }
                try await group.waitForAll()
            }
        }
        try await DemoClock.sleep(milliseconds: 80)
        pool.cancel(reason: "shutdown requested midway")
        let outcome = await pool.result
        if case .failure(let error) = outcome {
            runtime.annotate("worker-pool ended with \(type(of: error)); its unfinished children were cancelled")
        }
    }

    /// The scenario task returns while the tasks it started are still running: they end the trace unfinished.
    ///
    /// They wait far longer than any recording lasts (one hour); nothing awaits or cancels them.
    static let commonErrors = DemoScenario(
        name: "common-errors",
        summary: "the main task returns before its tasks finish: they end the trace unfinished"
    ) { runtime, _ in
        for name in ["flush-cache", "refresh-token", "send-goodbye-email"] {
            runtime.spawn(name) {
                try await DemoClock.sleep(milliseconds: 3_600_000)
            }
        }
        try await DemoClock.sleep(milliseconds: 10)
        runtime.annotate("returning without awaiting 3 tasks: they never finish")
    }
}
