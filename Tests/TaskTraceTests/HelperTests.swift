import Synchronization
import Testing
import TaskTraceModel
@testable import TaskTrace

/// gather, wait and done callbacks.
@Suite("asyncio-style helpers")
struct HelperTests {
    @Test("gather throws the first failure at once and, as in asyncio, leaves the other tasks running to the end")
    func gatherLeavesSiblingsRunning() async throws {
        let sink = InMemoryTraceSink()
        let siblingFinished = Mutex(false)
        await #expect(throws: SampleError.self) {
            try await TaskTrace.record(into: sink, workers: 2) { runtime in
                let slow = runtime.spawn("slow") { () async throws -> Int in
                    try await Task.sleep(for: .milliseconds(50))
                    siblingFinished.withLock { $0 = true }
                    return 1
                }
                let failing = runtime.spawn("failing") { () async throws -> Int in throw SampleError() }
                do {
                    return try await runtime.gather([slow, failing])
                } catch {
                    // gather returned before the sibling ended; it must still be running.
                    #expect(!slow.isDone)
                    _ = await slow.result
                    throw error
                }
            }
        }
        TraceAssertions.expectValid(sink)
        #expect(siblingFinished.withLock { $0 })
        let slow = try #require(sink.task(named: "slow"))
        #expect(sink.transitions(of: slow.id).last == .done)
        #expect(!sink.marks.contains { $0.taskID == slow.id && $0.kind == MarkKind.cancelRequested })
        let failing = try #require(sink.task(named: "failing"))
        #expect(sink.transitions(of: failing.id).last == .errored)
    }

    @Test("gather(cancelOnFailure: true) cancels the others, like asyncio.TaskGroup")
    func gatherCancelOnFailure() async throws {
        let sink = InMemoryTraceSink()
        await #expect(throws: SampleError.self) {
            try await TaskTrace.record(into: sink, workers: 2) { runtime in
                let slow = runtime.spawn("slow") { () async throws -> Int in
                    try await Task.sleep(for: .seconds(60))
                    return 1
                }
                let failing = runtime.spawn("failing") { () async throws -> Int in throw SampleError() }
                return try await runtime.gather([slow, failing], cancelOnFailure: true)
            }
        }
        TraceAssertions.expectValid(sink)
        let slow = try #require(sink.task(named: "slow"))
        #expect(sink.transitions(of: slow.id).last == .cancelled)
        #expect(sink.marks.contains { $0.taskID == slow.id && $0.detail?.contains("sibling failed") == true })
    }

    @Test("wait firstCompleted returns done and pending without cancelling")
    func waitFirstCompleted() async throws {
        let sink = InMemoryTraceSink()
        let (done, pending, callbackRan) = try await TaskTrace.record(into: sink) { runtime in
            let quick = runtime.spawn("quick") { 1 }
            let slow = runtime.spawn("slow") {
                try await Task.sleep(for: .milliseconds(100))
                return 2
            }
            let ran = Mutex(false)
            quick.onDone { _ in ran.withLock { $0 = true } }
            let (done, pending) = await runtime.wait([quick, slow], returnWhen: .firstCompleted)
            _ = try await slow.value
            return (done.map(\.name), pending.map(\.name), ran.withLock { $0 })
        }
        #expect(done == ["quick"])
        #expect(pending == ["slow"])
        #expect(callbackRan)
        TraceAssertions.expectValid(sink)
        let slow = try #require(sink.task(named: "slow"))
        #expect(sink.transitions(of: slow.id) == TraceAssertions.sleptOnce)
        // Only the user's callback is marked; wait's own bookkeeping on both tasks is not.
        let quick = try #require(sink.task(named: "quick"))
        #expect(sink.marks.filter { $0.kind == "done_callbacks" }.map(\.taskID) == [quick.id])
    }

    @Test("wait with a timeout leaves slow tasks pending")
    func waitTimeout() async throws {
        let sink = InMemoryTraceSink()
        let pendingCount = try await TaskTrace.record(into: sink) { runtime in
            let slow = runtime.spawn("slow") { try await Task.sleep(for: .seconds(60)) }
            let (_, pending) = await runtime.wait([slow], timeout: .milliseconds(20))
            slow.cancel(reason: "cleanup")
            _ = await slow.result
            return pending.count
        }
        #expect(pendingCount == 1)
        TraceAssertions.expectValid(sink)
    }
}
