import Dispatch
import Foundation
import Synchronization
import Testing
import TaskTraceModel
import TaskTraceStore
@testable import TaskTrace

/// A sink whose first write blocks until the test opens the gate, to hold the writer busy at a chosen moment.
final class FirstWriteGateSink: TraceSink {
    let inner = InMemoryTraceSink()
    let gate = DispatchSemaphore(value: 0)
    let firstWriteStarted = Atomic<Bool>(false)

    func write(_ batch: TraceBatch) throws {
        if !firstWriteStarted.exchange(true, ordering: .acquiringAndReleasing) { gate.wait() }
        try inner.write(batch)
    }

    func finish(meta: [String: String]) throws { try inner.finish(meta: meta) }
}

/// Tasks that outlive their recording, helpers in loops, and the writer under a burst: the cases a review found
/// hanging, leaking or dropping. Serialized: several measure the process (file descriptors, elapsed time).
@Suite("Runtime edge cases", .serialized)
struct OutlivingTasksTests {
    @Test("toThread called by a task that outlives the recording still completes")
    func toThreadAfterTheRecording() async throws {
        let leftover = try await TaskTrace.record(into: InMemoryTraceSink()) { runtime in
            runtime.spawn("leftover") { () async throws -> Int in
                try await Task.sleep(for: .milliseconds(100))
                return try await runtime.toThread("late blocking") { 42 }
            }
        }
        let value = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await leftover.value }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(value == 42, "toThread after the recording never resumed its caller")
    }

    @Test("API calls after the recording neither wait for the gone writer nor keep its buffer")
    func spawnsAfterTheRecordingAreNotThrottled() async throws {
        var configuration = TraceConfiguration(workers: 1)
        configuration.payloadCapacity = 16
        let server = try await TaskTrace.record(into: InMemoryTraceSink(), configuration: configuration) { runtime in
            runtime.spawn("server") { () async throws -> Duration in
                try await Task.sleep(for: .milliseconds(100))  // the recording ends meanwhile
                let clock = ContinuousClock()
                let start = clock.now
                for index in 0..<40 { _ = try await runtime.spawn("request \(index)") { index }.value }
                return clock.now - start
            }
        }
        // Before the fix each spawn past the 16th waited ~1 s for room that never came.
        #expect(try await server.value < .seconds(3))
    }

    @Test("a half-full wake sent while the writer is busy writing is not lost")
    func halfFullWakeDuringAWrite() async throws {
        let sink = FirstWriteGateSink()
        var configuration = TraceConfiguration(workers: 1)
        configuration.bufferCapacity = 3_000
        configuration.flushIntervalNanos = 30_000_000_000  // only half-full wakes drive the writer
        _ = try await TaskTrace.record(into: sink, configuration: configuration) { _ in
            for _ in 0..<320 { await Task.yield() }  // past half: the writer wakes and blocks in its first write
            while !sink.firstWriteStarted.load(ordering: .acquiring) { try await Task.sleep(for: .microseconds(100)) }
            for _ in 0..<340 { await Task.yield() }  // past half again while the writer is busy
            sink.gate.signal()
            try await Task.sleep(for: .milliseconds(100))  // the writer must drain now, not in 30 s
            for _ in 0..<340 { await Task.yield() }  // would overflow an undrained buffer
        }
        #expect(sink.inner.meta[MetaKey.droppedEvents] == "0")
    }

    @Test("helpers unregister from tasks still running: polling wait, shield and gather leave nothing behind")
    func helpersLeaveNoWaitersBehind() async throws {
        let leftBehind = try await TaskTrace.record(into: InMemoryTraceSink(), workers: 2) { runtime in
            let slow = runtime.spawn("slow") { try await Task.sleep(for: .seconds(60)) }
            for _ in 0..<200 { _ = await runtime.wait([slow], timeout: .microseconds(10)) }
            let shielding = runtime.spawn("shielding") { try await runtime.shield(slow) }
            let gathering = runtime.spawn("gathering") { try await runtime.gather([slow]) }
            try await Task.sleep(for: .milliseconds(50))
            shielding.cancel()
            gathering.cancel()
            _ = await shielding.result
            _ = await gathering.result
            let count = slow.completion.pendingCallbacks
            slow.cancel()
            _ = await slow.result
            return count
        }
        #expect(leftBehind == 0)
    }

    @Test("a task cancelled before its first job never runs its body and ends cancelled")
    func cancelledBeforeItRan() async throws {
        let sink = InMemoryTraceSink()
        let ran = Atomic<Bool>(false)
        let result = try await TaskTrace.record(into: sink) { runtime in
            let victim = runtime.spawn("victim") { () async throws -> Int in
                ran.store(true, ordering: .relaxed)
                return 1
            }
            victim.cancel(reason: "early")
            return await victim.result
        }
        let bodyRan = ran.load(ordering: .relaxed)
        #expect(!bodyRan)
        #expect(throws: CancellationError.self) { try result.get() }
        let victim = try #require(sink.task(named: "victim"))
        #expect(sink.transitions(of: victim.id) == [.created, .scheduled, .running, .cancelled])
        TraceAssertions.expectValid(sink)
    }

    @Test("a task spawned by blocking work has the blocking task as its parent")
    func spawnFromBlockingWork() async throws {
        let sink = InMemoryTraceSink()
        _ = try await TaskTrace.record(into: sink) { runtime in
            let inner = try await runtime.toThread("blocker") { runtime.spawn("from-thread") { 1 } }
            return try await inner.value
        }
        let blocker = try #require(sink.task(named: "blocker"))
        let child = try #require(sink.task(named: "from-thread"))
        #expect(child.parentID == blocker.id)
    }

    @Test("the SQLite file is closed when the recording ends, even while a task outlives it")
    func traceFileClosedDespiteLeftovers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-fd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func openFiles() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0 }
        let before = openFiles()
        var sleepers: [SpawnedTask<Void>] = []
        for round in 0..<20 {
            let path = directory.appendingPathComponent("r\(round).sqlite").path
            sleepers.append(
                try await TaskTrace.record(to: path) { runtime in
                    runtime.spawn("hour") { try await Task.sleep(for: .seconds(3600)) }
                }
            )
        }
        #expect(openFiles() <= before + 3, "one file descriptor per finished recording is still open")
        for sleeper in sleepers { sleeper.cancel() }
    }

    @Test("durations convert to nanoseconds without wrapping")
    func durationsSaturate() {
        #expect((Duration.milliseconds(1500)).saturatingNanoseconds == 1_500_000_000)
        #expect((Duration.seconds(-1)).saturatingNanoseconds == 0)
        #expect((Duration.seconds(Int64.max)).saturatingNanoseconds == .max)
        #expect((Duration.seconds(18_446_744_074)).saturatingNanoseconds == .max)
    }
}
