import Synchronization
import Testing
import TaskTraceModel
@testable import TaskTrace

/// Group children recorded with their true outcomes and names, and time on an actor recorded as running — the
/// exact cases of issue "true outcomes for structured children" and "work on actors", on 1 and 4 workers.
@Suite("structured children and actors, exactly")
struct StructuredOutcomeTests {
    struct NotFound: Error, CustomStringConvertible {
        var description: String { "HTTP 404 for /missing" }
    }

    @Test("traced group: returns, throws, explicit cancel, implicit cancel", arguments: [1, 4])
    func tracedGroupOutcomes(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        let returnedAt = Mutex<TraceNanos>(0)
        try await TaskTrace.record(into: sink, workers: workers) { runtime in
            // One group: a child returns, one is cancelled explicitly (cancelAll after the first result).
            await runtime.withTaskGroup(of: Int.self) { group in
                group.addTask(name: "returns") { 1 }
                _ = await group.next()
                group.addTask(name: "cancelled-explicitly") {
                    (try? await Task.sleep(for: .seconds(30))) == nil ? -1 : 2
                }
                group.cancelAll(reason: "enough")
                await group.waitForAll()
            }
            // Another: a child throws, the body rethrows, so the group cancels its sibling implicitly.
            do {
                try await runtime.withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask(name: "sleeps") { try await Task.sleep(for: .seconds(30)) }
                    group.addTask(name: "throws-404") {
                        try await Task.sleep(for: .milliseconds(5))
                        returnedAt.withLock { $0 = runtime.recorder.buffer.now() }
                        throw NotFound()
                    }
                    while try await group.next() != nil {}
                }
            } catch {}
        }
        TraceAssertions.expectValid(sink)
        func final(_ name: String) throws -> (TaskRecord, TransitionRecord) {
            let task = try #require(sink.task(named: name))
            #expect(task.kind == .groupChild)
            let last = try #require(sink.transitions.last { $0.taskID == task.id })
            return (task, last)
        }
        #expect(try final("returns").1.state == .done)
        // A child that returns normally despite the cancellation is done, as in asyncio; this one sees the
        // cancellation in its sleep and returns -1: done too. Its cancel request is marked.
        let explicit = try final("cancelled-explicitly")
        #expect(explicit.1.state == .done)
        #expect(sink.marks.contains { $0.taskID == explicit.0.id && $0.kind == MarkKind.cancelRequested && $0.detail?.contains("enough") == true })
        let thrower = try final("throws-404")
        #expect(thrower.1.state == .errored)
        #expect(thrower.0.error == "HTTP 404 for /missing")
        // Its end is its real last job, not its parent's end: within the job that threw.
        let threw = returnedAt.withLock { $0 }
        #expect(thrower.1.timestamp >= threw)
        let sleeper = try final("sleeps")
        #expect(sleeper.1.state == .cancelled)
        #expect(sink.marks.contains { $0.taskID == sleeper.0.id && $0.detail?.contains("group body threw") == true })
        // Named the way `cancel(reason:)` names a requester, so views draw the request from the group's task.
        let root = try #require(sink.task(named: "main"))
        #expect(sink.marks.contains { $0.taskID == sleeper.0.id && $0.detail?.hasPrefix("by task \(root.id) (its group)") == true })
        #expect(!sink.marks.contains { $0.kind == MarkKind.inferredOutcome })
    }

    @Test("plain group children and async let: the end is inferred and marked, never a confident done", arguments: [1, 4])
    func plainChildrenAreMarkedInferred(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        try await TaskTrace.record(into: sink, workers: workers) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<3 { group.addTask { index } }
                await group.waitForAll()
            }
            async let child = Self.ten()
            _ = await child
        }
        TraceAssertions.expectValid(sink)
        let children = sink.tasks.filter { $0.kind == .groupChild || $0.kind == .asyncLet }
        #expect(children.count == 4)
        for child in children {
            #expect(sink.transitions(of: child.id).last == .done)
            #expect(sink.marks.contains { $0.taskID == child.id && $0.kind == MarkKind.inferredOutcome })
        }
    }

    static func ten() async -> Int { 10 }

    actor Busy {
        func spin(milliseconds: Int) {
            let end = ContinuousClock.now.advanced(by: .milliseconds(milliseconds))
            while ContinuousClock.now < end {}
        }
    }

    @Test("a task calling a busy actor is running while its code runs on the actor", arguments: [1, 4])
    func actorTimeIsRunning(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        let busy = Busy()
        let spans = Mutex<[String: (TraceNanos, TraceNanos)]>([:])
        try await TaskTrace.record(into: sink, workers: workers) { runtime in
            let callers = (0..<3).map { index in
                runtime.spawn("caller-\(index)") {
                    let start = runtime.recorder.buffer.now()
                    await busy.spin(milliseconds: 20)
                    let end = runtime.recorder.buffer.now()
                    spans.withLock { $0["caller-\(index)"] = (start, end) }
                }
            }
            _ = await runtime.gatherResults(callers)
        }
        TraceAssertions.expectValid(sink)
        for index in 0..<3 {
            let task = try #require(sink.task(named: "caller-\(index)"))
            let records = sink.transitions.filter { $0.taskID == task.id }
            let (start, end) = try #require(spans.withLock { $0["caller-\(index)"] })
            // Running time inside the caller's own [start, end] (its code noted both around the actor call). The
            // callers queue on one actor, so each also waits; but its own 20 ms of spinning must be drawn running,
            // never suspended.
            var running: TraceNanos = 0
            for (record, next) in zip(records, records.dropFirst()) where record.state == .running {
                let from = max(record.timestamp, start)
                let to = min(next.timestamp, end)
                if to > from { running += to - from }
            }
            #expect(running >= 20_000_000, "caller-\(index) running \(running) ns of its \(end - start) ns")
        }
    }
}
