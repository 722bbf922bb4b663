import TaskTrace
import TaskTraceDemo
import TaskTraceModel
import Testing

private let millisecond: TraceNanos = 1_000_000

/// Every suite that records scenarios, run one recording at a time: the timing checks (blocking, timeouts)
/// must not share the 2-core machine with another recording.
@Suite("demo recordings", .serialized)
enum DemoRecordingSuites {}

extension DemoRecordingSuites {
    /// Each scenario, recorded in-process, has the shape it exists to show.
    @Suite("demo scenarios: characteristic shapes")
    struct ScenarioShapeTests {
        @Test func waitForTimeoutCancelsTheWorkAtTheTimeout() async throws {
            let recording = try await DemoRecording.record(["wait-for-timeout"])
            let shape = recording.shape
            #expect(recording.outcomes.allSatisfy { $0.failure == nil }, "\(recording.outcomes)")
            let slow = try #require(shape.task("slow-query"))
            #expect(shape.finalState(slow.id) == .cancelled)
            let created = try #require(shape.firstTime(slow.id, entering: .created))
            let cancelled = try #require(shape.firstTime(slow.id, entering: .cancelled))
            let lifetime = cancelled - created
            // The timeout is 100 ms and the work would take 400 ms: cancelled at about the timeout.
            #expect(lifetime >= 90 * millisecond, "slow-query lived \(lifetime / millisecond) ms")
            #expect(lifetime <= 350 * millisecond, "slow-query lived \(lifetime / millisecond) ms")
            let quick = try #require(shape.task("quick-query"))
            #expect(shape.finalState(quick.id) == .done)
        }

        @Test func shieldedWorkFinishesAfterItsWaiterIsCancelled() async throws {
            let recording = try await DemoRecording.record(["shield"])
            let shape = recording.shape
            let work = try #require(shape.task("charge-card"))
            let waiter = try #require(shape.task("checkout"))
            #expect(shape.finalState(waiter.id) == .cancelled)
            #expect(shape.finalState(work.id) == .done)
            let waiterCancelled = try #require(shape.firstTime(waiter.id, entering: .cancelled))
            let workDone = try #require(shape.firstTime(work.id, entering: .done))
            #expect(workDone > waiterCancelled)
        }

        @Test func blockingOnTheLoopStarvesTheOthersButThePoolDoesNot() async throws {
            let recording = try await DemoRecording.record(["blocking"], workers: 1)
            let shape = recording.shape

            let onLoop = try #require(shape.task("blocking-on-loop"))
            let block = try #require(shape.longestSegment(onLoop.id, in: .running))
            #expect(block.duration >= 100 * millisecond)
            let loopTickers = shape.tasks(prefixed: "loop-ticker-")
            #expect(loopTickers.count == 3)
            for ticker in loopTickers {
                let waiting = shape.time(ticker.id, in: .scheduled, during: block.start...block.end)
                // The ticker woke during the block and could not run until it ended.
                #expect(waiting * 2 >= block.duration, "\(ticker.name ?? "?") scheduled \(waiting / millisecond) ms")
            }

            let inPool = try #require(shape.task("blocking-in-pool"))
            #expect(inPool.kind == .blocking)
            let poolBlock = try #require(shape.longestSegment(inPool.id, in: .running))
            #expect(poolBlock.duration >= 100 * millisecond)
            let poolTickers = shape.tasks(prefixed: "pool-ticker-")
            #expect(poolTickers.count == 3)
            for ticker in poolTickers {
                let waiting = shape.time(ticker.id, in: .scheduled, during: poolBlock.start...poolBlock.end)
                let running = shape.time(ticker.id, in: .running, during: poolBlock.start...poolBlock.end)
                #expect(waiting * 2 < poolBlock.duration, "\(ticker.name ?? "?") scheduled \(waiting / millisecond) ms")
                #expect(running > 0, "\(ticker.name ?? "?") never ran during the pool's blocking call")
            }
        }

        @Test func exceptionsHaveErroredTasks() async throws {
            let recording = try await DemoRecording.record(["exceptions"])
            let shape = recording.shape
            let handled = try #require(shape.task("parse-config"))
            let unretrieved = try #require(shape.task("send-metrics"))
            #expect(shape.finalState(handled.id) == .errored)
            #expect(shape.finalState(unretrieved.id) == .errored)
            #expect(handled.error?.contains("port must be a number") == true, "\(handled.error ?? "nil")")
            let scenario = try #require(shape.task("exceptions"))
            #expect(shape.finalState(scenario.id) == .done)
        }

        @Test(arguments: [1, 4])
        func failingGatherLeavesItsSiblingsDone(workers: Int) async throws {
            let recording = try await DemoRecording.record(["gather"], workers: workers)
            let shape = recording.shape
            // The scenario throws from lookup-1 only; gather must not cancel lookup-2 and lookup-3.
            let failing = try #require(shape.task("lookup-1"))
            #expect(shape.finalState(failing.id) == .errored)
            #expect(failing.error?.contains("HTTP 404") == true, "\(failing.error ?? "nil")")
            for name in ["lookup-2", "lookup-3"] {
                let sibling = try #require(shape.task(name))
                #expect(shape.finalState(sibling.id) == .done, "\(name)")
                #expect(!recording.sink.marks.contains { $0.taskID == sibling.id && $0.kind == MarkKind.cancelRequested })
            }
        }

        @Test func cancelledGroupsChildrenEndCancelled() async throws {
            let recording = try await DemoRecording.record(["cancellation"])
            let shape = recording.shape
            let pool = try #require(shape.task("worker-pool"))
            #expect(shape.finalState(pool.id) == .cancelled)
            let children = shape.children(of: pool.id)
            #expect(children.count == 6)
            // The scenario's own durations: children sleeping less than the 80 ms before the cancel finish done,
            // the others are cancelled; each child carries its addTask name and no outcome is inferred.
            let durations = [30, 50, 200, 250, 300, 350]
            for (index, duration) in durations.enumerated() {
                let child = try #require(children.first { $0.name == "resize-image-\(index + 1)" })
                #expect(child.kind == .groupChild)
                #expect(shape.finalState(child.id) == (duration < 80 ? .done : .cancelled), "\(child.name ?? "")")
                #expect(!recording.sink.marks.contains { $0.taskID == child.id && $0.kind == MarkKind.inferredOutcome })
            }
            let cancelRequested = recording.sink.marks.contains {
                $0.kind == MarkKind.cancelRequested && $0.taskID == pool.id
            }
            #expect(cancelRequested)
        }

        @Test func commonErrorsLeavesUnfinishedTasksWithoutHanging() async throws {
            let recording = try await DemoRecording.record(["common-errors"])
            let shape = recording.shape
            #expect(recording.wallTime < .seconds(10))
            for name in ["flush-cache", "refresh-token", "send-goodbye-email"] {
                let task = try #require(shape.task(name))
                let final = try #require(shape.finalState(task.id))
                #expect(!final.isTerminal, "\(name) ended \(final.name)")
            }
            let scenario = try #require(shape.task("common-errors"))
            #expect(shape.finalState(scenario.id) == .done)
        }

        @Test func crawlerLimitsConcurrencyAndHasFailuresAndTimeouts() async throws {
            let recording = try await DemoRecording.record(["crawler"])
            let shape = recording.shape
            let fetches = shape.tasks(prefixed: "fetch-")
            let requests = shape.tasks(prefixed: "get-")
            #expect(fetches.count == 200)
            #expect(requests.count == 200)
            let fetchFinals = fetches.map { shape.finalState($0.id) }
            #expect(fetchFinals.contains(.errored))
            #expect(fetchFinals.contains(.done))
            // A timed-out request is cancelled at its deadline.
            #expect(requests.contains { shape.finalState($0.id) == .cancelled })
            // At most 8 requests are alive at any moment.
            var edges: [(TraceNanos, Int)] = []
            for request in requests {
                guard let start = shape.firstTime(request.id, entering: .created),
                    let last = shape.transitionsByTask[request.id]?.last
                else { continue }
                edges.append((start, 1))
                edges.append((last.timestamp, -1))
            }
            edges.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            var alive = 0
            var peak = 0
            for edge in edges {
                alive += edge.1
                peak = max(peak, alive)
            }
            #expect(peak <= CrawlerLimits.concurrency, "peak \(peak) requests at once")
            #expect(peak >= 2)
        }
    }

}

/// The crawler's documented limit (kept here so the test states it independently of the code).
private enum CrawlerLimits {
    static let concurrency = 8
}
