import Foundation
import Testing
import TaskTraceModel
import TaskTraceStore
@testable import TaskTrace

/// Whole-recording properties: no lost transitions under load, one worker is one lane, degraded ids, SQLite.
@Suite("Recorder")
struct RecorderTests {
    @Test("100k tasks: zero lost transitions, none illegal")
    func hundredThousandTasks() async throws {
        let sink = InMemoryTraceSink()
        let count = 100_000
        let total = try await TaskTrace.record(into: sink, workers: 2) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<count { group.addTask { index & 1 } }
                return await group.reduce(0, +)
            }
        }
        #expect(total == count / 2)
        TraceAssertions.expectValid(sink)
        let root = try #require(sink.task(named: "main"))
        let transitions = sink.transitions
        var perTask: [TraceTaskID: Int] = [:]
        var finalDone = 0
        for record in transitions where record.taskID != root.id {
            perTask[record.taskID, default: 0] += 1
            if record.state == .done { finalDone += 1 }
        }
        #expect(perTask.count == count)
        #expect(perTask.values.allSatisfy { $0 == 4 })
        #expect(finalDone == count)
        #expect(sink.children(of: root.id).count == count)
    }

    @Test("workers: 1 never runs two jobs at once")
    func singleWorkerIsOneLane() async throws {
        let sink = InMemoryTraceSink()
        _ = try await TaskTrace.record(into: sink, workers: 1) { runtime in
            let tasks = (0..<20).map { index in
                runtime.spawn("t\(index)") {
                    for _ in 0..<3 { await Task.yield() }
                    try await Task.sleep(for: .milliseconds(1))
                    return await withTaskGroup(of: Int.self) { group in
                        group.addTask { index }
                        group.addTask { index }
                        return await group.reduce(0, +)
                    }
                }
            }
            return try await runtime.gather(tasks)
        }
        TraceAssertions.expectValid(sink)
        // Running intervals: from each `running` to the task's next transition; plus untracked jobs.
        var intervals: [(start: TraceNanos, end: TraceNanos)] = []
        var open: [TraceTaskID: TraceNanos] = [:]
        for record in sink.transitions {
            if let start = open.removeValue(forKey: record.taskID) { intervals.append((start, record.timestamp)) }
            if record.state == .running { open[record.taskID] = record.timestamp }
        }
        #expect(open.isEmpty)
        intervals += sink.untrackedJobs.map { ($0.start, $0.end) }
        intervals.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var overlaps = 0
        for (previous, next) in zip(intervals, intervals.dropFirst()) where next.start < previous.end {
            overlaps += 1
        }
        #expect(overlaps == 0)
        #expect(intervals.count > 100)
        let runningThreads = Set(sink.transitions.filter { $0.state == .running }.map(\.threadID))
        #expect(runningThreads.count == 1)
    }

    @Test("unreadable task ids degrade to untracked jobs, the program still works")
    func unreadableTaskIDs() async throws {
        let sink = InMemoryTraceSink()
        var configuration = TraceConfiguration(workers: 2)
        configuration.identity = .unavailable
        let value = try await TaskTrace.record(into: sink, configuration: configuration) { runtime in
            let a = runtime.spawn("a") {
                try await Task.sleep(for: .milliseconds(2))
                return 1
            }
            async let b = Self.two()
            let c = await withTaskGroup(of: Int.self) { group in
                group.addTask { 3 }
                return await group.reduce(0, +)
            }
            let d = try await runtime.toThread { 4 }
            return try await a.value + b + c + d
        }
        #expect(value == 10)
        TraceAssertions.expectValid(sink)
        #expect(!sink.untrackedJobs.isEmpty)
        // Only the blocking task (its id is the runtime's own) has transitions.
        #expect(Set(sink.transitions.map(\.taskID)).count == 1)
    }

    static func two() async -> Int { 2 }

    @Test("jobs without a task id (default actors) appear as untracked jobs")
    func actorJobs() async throws {
        let sink = InMemoryTraceSink()
        let value = try await TaskTrace.record(into: sink) { _ in
            let counter = Counter()
            for _ in 0..<5 { await counter.increment() }
            return await counter.value
        }
        #expect(value == 5)
        TraceAssertions.expectValid(sink)
        #expect(sink.untrackedJobs.count >= 1)
        let worker = try #require(sink.threads.first { $0.kind == .worker })
        #expect(sink.untrackedJobs.allSatisfy { $0.threadID == worker.id && $0.start <= $0.end })
    }

    @Test("the SQLite sink round-trips a real recording")
    func sqliteRoundTrip() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let value = try await TaskTrace.record(to: path, workers: 2, command: "round-trip test") { runtime in
            let fetches = (0..<8).map { index in
                runtime.spawn("fetch \(index)") {
                    try await Task.sleep(for: .milliseconds(2))
                    return await withTaskGroup(of: Int.self) { group in
                        group.addTask { index }
                        return await group.reduce(0, +)
                    }
                }
            }
            let parsed = try await runtime.toThread("parse") { 100 }
            let failing = runtime.spawn("failing") { () async throws -> Int in throw SampleError() }
            _ = await failing.result
            return try await runtime.gather(fetches).reduce(parsed, +)
        }
        #expect(value == 128)
        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        #expect(meta[MetaKey.droppedEvents] == "0")
        #expect(meta[MetaKey.workers] == "2")
        #expect(meta[MetaKey.command] == "round-trip test")
        #expect(meta[MetaKey.endedUnixNs] != nil)
        #expect(meta[MetaKey.clock] == TraceClock.fastest.name)
        let tasks = try reader.tasks()
        let byName = Dictionary(tasks.compactMap { task in task.name.map { ($0, task) } }) { first, _ in first }
        let root = try #require(byName["main"])
        #expect(root.kind == .root)
        for index in 0..<8 {
            let fetch = try #require(byName["fetch \(index)"])
            #expect(fetch.parentID == root.id)
            #expect(fetch.kind == .spawned)
        }
        #expect(byName["parse"]?.kind == .blocking)
        #expect(byName["failing"]?.error == "sample failure 42")
        #expect(tasks.filter { $0.kind == .groupChild }.count == 8)
        var validator = TransitionValidator()
        try reader.forEachTransition { validator.observe($0) }
        #expect(validator.violations.isEmpty)
        #expect(validator.timeReversals == 0)
        #expect(validator.unfinishedTasks.isEmpty)
        #expect(validator.finalStates.count == tasks.count)
        #expect(validator.finalStates[root.id] == .done)
        let threads = try reader.threads()
        #expect(threads.filter { $0.kind == .worker }.count == 2)
    }
}

/// A default actor: its jobs arrive with no task id.
actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
