import Testing
import TaskTraceModel
@testable import TaskTrace

/// Exact transition sequences for small deterministic workloads on one worker.
@Suite("Task life cycles")
struct LifecycleTests {
    @Test("a spawned task that sleeps once")
    func sleepOnce() async throws {
        let sink = InMemoryTraceSink()
        let value = try await TaskTrace.record(into: sink) { runtime in
            let task = runtime.spawn("sleeper") {
                try await Task.sleep(for: .milliseconds(5))
                return 7
            }
            return try await task.value
        }
        #expect(value == 7)
        TraceAssertions.expectValid(sink)
        let root = try #require(sink.task(named: "main"))
        let sleeper = try #require(sink.task(named: "sleeper"))
        #expect(root.kind == .root)
        #expect(root.parentID == nil)
        #expect(sleeper.kind == .spawned)
        #expect(sleeper.parentID == root.id)
        #expect(sleeper.file == "TaskTraceTests/LifecycleTests.swift")
        #expect(sleeper.line != nil)
        #expect(sink.transitions(of: sleeper.id) == TraceAssertions.sleptOnce)
        #expect(sink.transitions(of: root.id) == TraceAssertions.sleptOnce)
        // Running transitions carry a worker thread.
        let workers = Set(sink.threads.filter { $0.kind == .worker }.map(\.id))
        #expect(workers.count == 1)
        for record in sink.transitions where record.state == .running {
            #expect(workers.contains(record.threadID))
        }
        #expect(sink.threads.contains { $0.name == "tasktrace-worker-1" })
        #expect(sink.threads.contains { $0.name == "tasktrace-writer" })
        #expect(sink.meta[MetaKey.workers] == "1")
    }

    @Test("a TaskGroup with two children")
    func taskGroup() async throws {
        let sink = InMemoryTraceSink()
        let sum = try await TaskTrace.record(into: sink) { _ in
            await withTaskGroup(of: Int.self) { group in
                group.addTask(name: "first") { 1 }
                group.addTask { 2 }
                return await group.reduce(0, +)
            }
        }
        #expect(sum == 3)
        TraceAssertions.expectValid(sink)
        let root = try #require(sink.task(named: "main"))
        let children = sink.children(of: root.id)
        #expect(children.count == 2)
        for child in children {
            #expect(child.kind == .groupChild)
            #expect(sink.transitions(of: child.id) == TraceAssertions.ranOnce)
        }
    }

    @Test("an async let")
    func asyncLet() async throws {
        let sink = InMemoryTraceSink()
        let value = try await TaskTrace.record(into: sink) { _ in
            async let child = Self.compute()
            return await child
        }
        #expect(value == 10)
        TraceAssertions.expectValid(sink)
        let root = try #require(sink.task(named: "main"))
        let children = sink.children(of: root.id)
        #expect(children.count == 1)
        let child = try #require(children.first)
        #expect(child.kind == .asyncLet)
        #expect(sink.transitions(of: child.id) == TraceAssertions.ranOnce)
    }

    static func compute() async -> Int { 10 }

    @Test("a cancelled task")
    func cancelled() async throws {
        let sink = InMemoryTraceSink()
        let outcome = try await TaskTrace.record(into: sink) { runtime in
            let sleeper = runtime.spawn("sleeper") { try await Task.sleep(for: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(20))
            sleeper.cancel(reason: "not needed")
            return await sleeper.result
        }
        guard case .failure(let error) = outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(error is CancellationError)
        TraceAssertions.expectValid(sink)
        let sleeper = try #require(sink.task(named: "sleeper"))
        let root = try #require(sink.task(named: "main"))
        #expect(
            sink.transitions(of: sleeper.id)
                == [.created, .scheduled, .running, .suspended, .scheduled, .running, .cancelled]
        )
        let mark = try #require(sink.marks.first { $0.kind == MarkKind.cancelRequested })
        #expect(mark.taskID == sleeper.id)
        #expect(mark.detail == "by task \(root.id): not needed")
        #expect(sleeper.error?.contains("not needed") == true)
    }

    @Test("an erroring task")
    func errored() async throws {
        let sink = InMemoryTraceSink()
        await #expect(throws: SampleError.self) {
            try await TaskTrace.record(into: sink) { runtime in
                try await runtime.spawn("failing") { () async throws -> Int in throw SampleError() }.value
            }
        }
        TraceAssertions.expectValid(sink)
        let failing = try #require(sink.task(named: "failing"))
        let root = try #require(sink.task(named: "main"))
        #expect(sink.transitions(of: failing.id) == [.created, .scheduled, .running, .errored])
        #expect(failing.error == "sample failure 42")
        #expect(sink.transitions(of: root.id).last == .errored)
    }

    @Test("a timeout cancels the operation and throws TimeoutError")
    func timeout() async throws {
        let sink = InMemoryTraceSink()
        let thrown = try await TaskTrace.record(into: sink) { runtime -> Bool in
            do {
                _ = try await runtime.waitFor("slow", timeout: .milliseconds(30)) {
                    try await Task.sleep(for: .seconds(60))
                }
                return false
            } catch is TimeoutError {
                return true
            }
        }
        #expect(thrown)
        TraceAssertions.expectValid(sink)
        let slow = try #require(sink.task(named: "slow"))
        #expect(
            sink.transitions(of: slow.id)
                == [.created, .scheduled, .running, .suspended, .scheduled, .running, .cancelled]
        )
        #expect(sink.marks.contains { $0.kind == MarkKind.cancelRequested && $0.taskID == slow.id })
        #expect(sink.marks.contains { $0.kind == "timeout" })
    }

    @Test("a shield keeps the shielded task running when its awaiter is cancelled")
    func shield() async throws {
        let sink = InMemoryTraceSink()
        let (inner, outer) = try await TaskTrace.record(into: sink) { runtime in
            let inner = runtime.spawn("shielded") {
                try await Task.sleep(for: .milliseconds(80))
                return 1
            }
            let outer = runtime.spawn("awaiter") { try await runtime.shield(inner) }
            try await Task.sleep(for: .milliseconds(10))
            outer.cancel(reason: "give up")
            let outerResult = await outer.result
            let innerValue = try await inner.value
            return (innerValue, outerResult)
        }
        #expect(inner == 1)
        guard case .failure(let error) = outer else {
            Issue.record("the awaiter should have been cancelled")
            return
        }
        #expect(error is CancellationError)
        TraceAssertions.expectValid(sink)
        let shielded = try #require(sink.task(named: "shielded"))
        let awaiter = try #require(sink.task(named: "awaiter"))
        #expect(sink.transitions(of: shielded.id) == TraceAssertions.sleptOnce)
        #expect(sink.transitions(of: awaiter.id).last == .cancelled)
        #expect(!sink.marks.contains { $0.kind == MarkKind.cancelRequested && $0.taskID == shielded.id })
    }

    @Test("a blocking-pool call")
    func blocking() async throws {
        let sink = InMemoryTraceSink()
        let value = try await TaskTrace.record(into: sink) { runtime in
            try await runtime.toThread("read file") { () -> Int in
                var total = 0
                for index in 0..<10_000 { total &+= index }
                return total
            }
        }
        #expect(value == 49_995_000)
        TraceAssertions.expectValid(sink)
        let work = try #require(sink.task(named: "read file"))
        let root = try #require(sink.task(named: "main"))
        #expect(work.kind == .blocking)
        #expect(work.parentID == root.id)
        #expect(sink.transitions(of: work.id) == TraceAssertions.ranOnce)
        let running = try #require(sink.transitions.first { $0.taskID == work.id && $0.state == .running })
        let thread = try #require(sink.threads.first { $0.id == running.threadID })
        #expect(thread.kind == .blocking)
        #expect(thread.name.hasPrefix("tasktrace-blocking-"))
    }

    @Test("parent links across spawn, group and async let")
    func parents() async throws {
        let sink = InMemoryTraceSink()
        _ = try await TaskTrace.record(into: sink, workers: 2) { runtime in
            try await runtime.spawn("outer") {
                try await runtime.spawn("inner") {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask(name: "leaf") {}
                    }
                }.value
            }.value
        }
        TraceAssertions.expectValid(sink)
        let root = try #require(sink.task(named: "main"))
        let outer = try #require(sink.task(named: "outer"))
        let inner = try #require(sink.task(named: "inner"))
        #expect(outer.parentID == root.id)
        #expect(inner.parentID == outer.id)
        let leaf = try #require(sink.children(of: inner.id).first)
        #expect(leaf.kind == .groupChild)
        #expect(sink.transitions(of: leaf.id) == TraceAssertions.ranOnce)
    }
}
