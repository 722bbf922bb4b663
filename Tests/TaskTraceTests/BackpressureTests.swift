import Foundation
import Synchronization
import Testing
import TaskTraceModel
import TaskTraceStore
@testable import TaskTrace

/// A sink that takes its time with every batch, so the recorder's buffer fills faster than it drains.
final class SlowSink: TraceSink {
    let inner = InMemoryTraceSink()
    let delayMicroseconds: UInt32

    init(delayMicroseconds: UInt32) { self.delayMicroseconds = delayMicroseconds }

    func write(_ batch: TraceBatch) throws {
        usleep(delayMicroseconds)
        try inner.write(batch)
    }

    func finish(meta: [String: String]) throws { try inner.finish(meta: meta) }
}

/// What a full buffer does: hot-path events are dropped and counted, never silently; API events (a spawned
/// task's name, its outcome) wait for the writer instead of being dropped.
@Suite("Recorder under pressure")
struct BackpressureTests {
    @Test("a tiny buffer and a slow sink: hot-path events are dropped and counted, the trace stays legal")
    func hotPathDropsAreCounted() async throws {
        let sink = SlowSink(delayMicroseconds: 2_000)
        var configuration = TraceConfiguration(workers: 2)
        configuration.bufferCapacity = 64
        let count = 5_000
        let total = try await TaskTrace.record(into: sink, configuration: configuration) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<count { group.addTask { index & 1 } }
                return await group.reduce(0, +)
            }
        }
        #expect(total == count / 2, "dropping events never changes what the program computes")
        let dropped = try #require(sink.inner.meta[MetaKey.droppedEvents].flatMap { Int($0) })
        #expect(dropped > 0, "the buffer was meant to overflow")
        // Fewer transitions than a lossless recording (4 per child), and what was recorded is still legal.
        #expect(sink.inner.transitions.count < 4 * count)
        var validator = TransitionValidator()
        sink.inner.transitions.forEach { validator.observe($0) }
        #expect(validator.violations.isEmpty)
        #expect(validator.timeReversals == 0)
    }

    @Test(
        "a tiny buffer and a slow sink: names and outcomes survive, every loss is counted and marked on its task",
        arguments: [1, 4]
    )
    func namesAndOutcomesSurviveDrops(workers: Int) async throws {
        let sink = SlowSink(delayMicroseconds: 2_000)
        var configuration = TraceConfiguration(workers: workers)
        configuration.bufferCapacity = 64
        configuration.payloadCapacity = 16
        let count = 2_000
        let results = try await TaskTrace.record(into: sink, configuration: configuration) { runtime in
            let tasks = (0..<count).map { index in
                runtime.spawn("job-\(index)") { () async throws -> Int in
                    // Yields are hot-path events only (no API event throttles them): they overflow the buffer.
                    for _ in 0..<5 { await Task.yield() }
                    if index % 10 == 0 { throw SampleError() }
                    return index
                }
            }
            return await runtime.gatherResults(tasks).count
        }
        #expect(results == count)
        let meta = sink.inner.meta
        let dropped = try #require(meta[MetaKey.droppedEvents].flatMap { Int($0) })
        #expect(dropped > 0, "the buffer was meant to overflow")
        let spawned = sink.inner.tasks.filter { $0.name?.hasPrefix("job-") == true }
        #expect(spawned.count == count)
        #expect(spawned.allSatisfy { $0.kind == .spawned })
        // What each task did is known independently: every tenth threw. The outcome and error text survive drops.
        for task in spawned {
            let index = try #require(task.name.flatMap { Int($0.dropFirst(4)) })
            let final = sink.inner.transitions(of: task.id).last
            #expect(final == (index % 10 == 0 ? .errored : .done), "\(task.name ?? "")")
            if index % 10 == 0 { #expect(task.error == "sample failure 42") }
        }
        // Nothing is silent: the trace stays legal, and every task that lost events is marked.
        var validator = TransitionValidator()
        sink.inner.transitions.forEach { validator.observe($0) }
        #expect(validator.violations.isEmpty)
        #expect(validator.timeReversals == 0)
        let marked = Set(sink.inner.marks.filter { $0.kind == MarkKind.eventsLost }.compactMap(\.taskID))
        #expect(!marked.isEmpty)
        #expect(TraceIntegrity(meta: meta).problems.contains { $0.key == MetaKey.droppedEvents })
    }

    @Test("the same load with the default buffer drops nothing")
    func defaultBufferDropsNothing() async throws {
        let sink = InMemoryTraceSink()
        let count = 2_000
        _ = try await TaskTrace.record(into: sink, workers: 2) { runtime in
            let tasks = (0..<count).map { index in runtime.spawn("job-\(index)") { index } }
            return try await runtime.gather(tasks).count
        }
        #expect(sink.meta[MetaKey.droppedEvents] == "0")
        let jobs = sink.tasks.filter { $0.name?.hasPrefix("job-") == true }
        #expect(jobs.count == count)
        #expect(jobs.allSatisfy { sink.transitions(of: $0.id) == TraceAssertions.ranOnce })
    }
}
