import TaskTrace

/// `asyncio.wait` in its three modes, `wait_for` with a timeout, and `shield`.
enum WaitScenarios {
    static let waitAll = DemoScenario(
        name: "wait-all",
        summary: "wait(ALL_COMPLETED): returns once every task is done"
    ) { runtime, options in
        var random = options.random(for: "wait-all")
        let tasks = (1...6).map { index in
            let delay = random.int(in: 20...120)
            return runtime.spawn("download-\(index)") {
                try await DemoClock.sleep(milliseconds: delay)
                return delay
            }
        }
        let (done, pending) = await runtime.wait(tasks, returnWhen: .allCompleted)
        runtime.annotate("wait returned \(done.count) done, \(pending.count) pending")
    }

    static let waitFirstCompleted = DemoScenario(
        name: "wait-first-completed",
        summary: "wait(FIRST_COMPLETED): the fastest mirror wins, the others are cancelled"
    ) { runtime, options in
        var random = options.random(for: "wait-first-completed")
        let tasks = (1...6).map { index in
            let delay = random.int(in: 30...200)
            return runtime.spawn("mirror-\(index)") {
                try await DemoClock.sleep(milliseconds: delay)
                return index
            }
        }
        let (done, pending) = await runtime.wait(tasks, returnWhen: .firstCompleted)
        runtime.annotate("first completed: \(done.map(\.name).joined(separator: ", ")); cancelling \(pending.count)")
        for task in pending {
            task.cancel(reason: "another mirror answered first")
        }
        _ = await runtime.gatherResults(pending)
    }

    static let waitFirstException = DemoScenario(
        name: "wait-first-exception",
        summary: "wait(FIRST_EXCEPTION): returns at the first failure, the rest are cancelled"
    ) { runtime, options in
        var random = options.random(for: "wait-first-exception")
        let failing = random.int(in: 1...6)
        let tasks = (1...6).map { index in
            let delay = index == failing ? random.int(in: 30...50) : random.int(in: 20...200)
            return runtime.spawn("job-\(index)") {
                try await DemoClock.sleep(milliseconds: delay)
                if index == failing { throw DemoError.jobFailed(index) }
                return index
            }
        }
        let (done, pending) = await runtime.wait(tasks, returnWhen: .firstException)
        let failures = await runtime.gatherResults(done).compactMap { result -> String? in
            if case .failure(let error) = result { return "\(error)" }
            return nil
        }
        runtime.annotate("wait returned at \(failures.joined(separator: ", ")); cancelling \(pending.count)")
        for task in pending {
            task.cancel(reason: "a sibling job failed")
        }
        _ = await runtime.gatherResults(pending)
    }

    /// Work that takes longer than its timeout is cancelled at the deadline; quick work is not.
    static let waitForTimeout = DemoScenario(
        name: "wait-for-timeout",
        summary: "wait_for: work longer than its 100 ms timeout is cancelled, quick work returns within its 1 s"
    ) { runtime, _ in
        do {
            _ = try await runtime.waitFor("slow-query", timeout: .milliseconds(100)) {
                try await DemoClock.sleep(milliseconds: 400)
                return 1
            }
            runtime.annotate("slow-query returned in time (unexpected)")
        } catch let error as TimeoutError {
            runtime.annotate("slow-query: \(error)")
        }
        // A timeout of its own, far beyond its 20 ms: on a loaded machine (one worker, the suites of a CI run beside
        // it) a 20 ms sleep woke more than 80 ms late once and the quick work timed out too.
        let quick = try await runtime.waitFor("quick-query", timeout: .seconds(1)) {
            try await DemoClock.sleep(milliseconds: 20)
            return 2
        }
        runtime.annotate("quick-query returned \(quick) within its timeout")
    }

    /// Shielded work survives the cancellation of the task that awaited it.
    static let shield = DemoScenario(
        name: "shield",
        summary: "shield: the waiter is cancelled, the shielded work finishes anyway"
    ) { runtime, _ in
        let payment = runtime.spawn("charge-card") {
            try await DemoClock.sleep(milliseconds: 150)
            return "charged"
        }
        let waiter = runtime.spawn("checkout") {
            try await runtime.shield(payment)
        }
        try await DemoClock.sleep(milliseconds: 50)
        waiter.cancel(reason: "the customer closed the page")
        let waiterResult = await waiter.result
        if case .failure(let error) = waiterResult {
            runtime.annotate("checkout ended with \(error); charge-card keeps running")
        }
        let outcome = try await payment.value
        runtime.annotate("charge-card finished: \(outcome)")
    }
}
