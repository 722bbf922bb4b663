// Measures the recorder's cost per event, side by side: the same workload on an untraced single-thread
// TaskExecutor (same queue design: mutex + condition) and on the tracing executor with one worker.
// Run: cd Benchmarks && swift run -c release RuntimeBenchmark
import Foundation
import TaskTrace

/// A minimal untraced executor: one thread, FIFO queue, same locking as TracingExecutor.
final class PlainExecutor: TaskExecutor, @unchecked Sendable {  // state protected by `condition`
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}

/// One task yielding `count` times: each yield is one enqueue + job start + job end (3 raw events).
func yields(_ count: Int) async {
    for _ in 0..<count { await Task.yield() }
}

/// A task group of `count` trivial children: 3 raw events per child plus the parent's.
func children(_ count: Int) async -> Int {
    await withTaskGroup(of: Int.self) { group in
        for index in 0..<count { group.addTask { index & 1 } }
        return await group.reduce(0, +)
    }
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let yieldCount = 1_000_000
let childCount = 200_000
let plain = PlainExecutor()
var report: [String] = []

for round in 1...3 {
    let plainYield = await seconds {
        await Task(executorPreference: plain) { await yields(yieldCount) }.value
    }
    var bodyYield = 0.0
    let tracedYield = try await seconds {
        bodyYield = try await TaskTrace.record(into: InMemoryTraceSink(), workers: 1) { _ in
            await seconds { await yields(yieldCount) }
        }
    }
    let plainGroup = await seconds {
        _ = await Task(executorPreference: plain) { await children(childCount) }.value
    }
    var bodyGroup = 0.0
    let tracedGroup = try await seconds {
        bodyGroup = try await TaskTrace.record(into: InMemoryTraceSink(), workers: 1) { _ in
            await seconds { _ = await children(childCount) }
        }
    }
    let sqlitePath = NSTemporaryDirectory() + "tasktrace-bench.sqlite"
    let sqliteGroup = try await seconds {
        _ = try await TaskTrace.record(to: sqlitePath, workers: 1) { _ in await children(childCount) }
    }
    try? FileManager.default.removeItem(atPath: sqlitePath)
    let yieldEvents = Double(3 * yieldCount)
    let groupEvents = Double(3 * childCount)
    report.append(
        String(
            format: """
                round %d
                  yield x%d:   plain %.3f s, traced body %.3f s (ratio %.2f, +%.0f ns/event), with final flush %.3f s
                  group x%d:    plain %.3f s, traced body %.3f s (ratio %.2f, +%.0f ns/event), with final flush %.3f s
                                    traced (SQLite) %.3f s (writer thread, incl. final flush)
                """,
            round, yieldCount, plainYield, bodyYield, bodyYield / plainYield,
            (bodyYield - plainYield) * 1e9 / yieldEvents, tracedYield,
            childCount, plainGroup, bodyGroup, bodyGroup / plainGroup,
            (bodyGroup - plainGroup) * 1e9 / groupEvents, tracedGroup, sqliteGroup
        )
    )
}
print(report.joined(separator: "\n"))
