import TaskTrace

/// A realistic workload: 200 fetches, at most 8 at a time, with seeded latencies, failures and timeouts.
///
/// Every fetch is a task (`fetch-N`) started at once; it waits for one of 8 permits (suspended, like
/// `async with semaphore`), then runs the request as `get-N` under a 100 ms `waitFor` timeout.
enum CrawlerScenario {
    static let fetchCount = 200
    static let concurrency = 8
    static let timeoutMilliseconds = 100

    /// What one simulated request does.
    private enum Plan: Sendable {
        case succeed(afterMilliseconds: Int)
        case fail(afterMilliseconds: Int, status: Int)
        case hang
    }

    static let scenario = DemoScenario(
        name: "crawler",
        summary: "200 fetches, at most 8 at a time, seeded latencies, a few failures and timeouts"
    ) { runtime, options in
        var random = options.random(for: "crawler")
        let plans: [Plan] = (0..<fetchCount).map { _ in
            if random.chance(0.04) { return .fail(afterMilliseconds: random.int(in: 5...20), status: 503) }
            if random.chance(0.04) { return .hang }
            return .succeed(afterMilliseconds: random.int(in: 4...30))
        }
        let permits = AsyncPermits(concurrency)
        let fetches = plans.enumerated().map { index, plan in
            runtime.spawn("fetch-\(index + 1)") {
                await permits.acquire()
                defer { permits.release() }
                return try await runtime.waitFor("get-\(index + 1)", timeout: .milliseconds(timeoutMilliseconds)) {
                    try await perform(plan, url: "https://example.test/page/\(index + 1)")
                }
            }
        }
        let results = await runtime.gatherResults(fetches)
        var bytes = 0
        var failed = 0
        var timedOut = 0
        for result in results {
            switch result {
            case .success(let size): bytes += size
            case .failure(is TimeoutError): timedOut += 1
            case .failure: failed += 1
            }
        }
        runtime.annotate(
            "crawled \(results.count - failed - timedOut) pages (\(bytes) bytes), \(failed) failed, \(timedOut) timed out"
        )
    }

    /// Simulates one request: returns the page size, throws an HTTP error, or hangs until cancelled.
    private static func perform(_ plan: Plan, url: String) async throws -> Int {
        switch plan {
        case .succeed(let latency):
            try await DemoClock.sleep(milliseconds: latency)
            return 1_000 + latency * 37
        case .fail(let latency, let status):
            try await DemoClock.sleep(milliseconds: latency)
            throw DemoError.httpStatus(status, url: url)
        case .hang:
            try await DemoClock.sleep(milliseconds: 10_000)
            return 0
        }
    }
}
