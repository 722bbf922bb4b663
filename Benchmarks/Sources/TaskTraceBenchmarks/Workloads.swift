/// The three programs every candidate runs, written as plain Swift concurrency so the same code runs on the global
/// executor and inside `TaskTrace.record` (TaskGroup children inherit the tracing executor's preference).
enum Workload: String, CaseIterable, Sendable {
    /// 100k trivial TaskGroup children: spawn-heavy, 3 jobs' worth of events per child.
    case spawn
    /// 1,000 tasks that each `Task.yield()` 100 times: scheduler-heavy, one job per yield.
    case yield
    /// The crawler scenario scaled up: 10k fetches, at most 100 in flight, each sleeping a seeded 1–5 ms
    /// (simulated latency) and then parsing a little; dominated by waiting, as a real program is.
    case realistic

    /// Runs the workload once; returns a checksum so the optimizer cannot drop the work.
    func run() async -> Int {
        switch self {
        case .spawn: return await Self.spawnChildren(100_000)
        case .yield: return await Self.yieldingTasks(1_000, yields: 100)
        case .realistic: return await Self.crawl(fetches: 10_000, inFlight: 100)
        }
    }

    static func spawnChildren(_ count: Int) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for index in 0..<count { group.addTask { index & 1 } }
            return await group.reduce(0, +)
        }
    }

    static func yieldingTasks(_ tasks: Int, yields: Int) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for index in 0..<tasks {
                group.addTask {
                    for _ in 0..<yields { await Task.yield() }
                    return index & 1
                }
            }
            return await group.reduce(0, +)
        }
    }

    static func crawl(fetches: Int, inFlight: Int) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            var next = 0
            var total = 0
            func addFetch() {
                let page = next
                next += 1
                group.addTask { await fetch(page) }
            }
            while next < min(inFlight, fetches) { addFetch() }
            while let size = await group.next() {
                total &+= size
                if next < fetches { addFetch() }
            }
            return total
        }
    }

    /// One simulated request: a seeded latency of 1–5 ms, then ~a few µs of parsing.
    private static func fetch(_ page: Int) async -> Int {
        let latency = 1 + (page &* 2_654_435_761 >> 7) % 5
        try? await Task.sleep(for: .milliseconds(latency))
        var hash = UInt64(page)
        for byte in 0..<512 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Int(hash & 0xFFFF)
    }
}
