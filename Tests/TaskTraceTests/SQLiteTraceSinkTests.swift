import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@testable import TaskTrace

/// The SQLite sink packs on the caller's thread and commits on its store thread (`TraceStoreThread`). Expected
/// values come from the batches the test itself writes, read back from the file.
/// Planted once each, and caught by the first test: the store thread ending at `finish` without committing the
/// batches still queued before it (tasks missing), and `finish` returning without waiting for the store thread
/// (the final meta missing when the file is read at once).
@Suite struct SQLiteTraceSinkTests {
    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-sink-\(name)-\(UUID().uuidString).sqlite").path
    }

    /// Task `id`'s life: created and scheduled on thread 1, running and done on thread 2, 10 ns apart.
    private func life(_ id: TraceTaskID, at start: TraceNanos) -> [TransitionRecord] {
        [
            TransitionRecord(taskID: id, timestamp: start, state: .created, threadID: 1),
            TransitionRecord(taskID: id, timestamp: start + 10, state: .scheduled, threadID: 1),
            TransitionRecord(taskID: id, timestamp: start + 20, state: .running, threadID: 2),
            TransitionRecord(taskID: id, timestamp: start + 30, state: .done, threadID: 2),
        ]
    }

    @Test("many batches, more than the store thread queues: every task and transition in the file, in order")
    func everyBatchCommittedInOrder() throws {
        let path = temporaryPath("order")
        defer { unlink(path) }
        let sink = try SQLiteTraceSink(path: path)
        try sink.begin(meta: ["command": "sink test"])
        var expected: [TraceTaskID: [TransitionRecord]] = [:]
        var nextID: TraceTaskID = 1
        for batchIndex in 0..<300 {
            var batch = TraceBatch()
            for _ in 0..<(batchIndex % 7 + 1) {
                let records = life(nextID, at: TraceNanos(nextID) * 100)
                batch.tasks.append(TaskRecord(id: nextID, name: "task \(nextID)"))
                batch.transitions += records
                expected[nextID] = records
                nextID += 1
            }
            try sink.write(batch)
        }
        try sink.finish(meta: ["ended": "yes"])

        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        #expect(meta["command"] == "sink test")
        #expect(meta["ended"] == "yes")
        let tasks = try reader.tasks()
        #expect(tasks.count == expected.count)
        let missing = Set(expected.keys).subtracting(tasks.map(\.id)).sorted()
        #expect(missing.isEmpty, "tasks missing from the file, first: \(missing.prefix(5))")
        #expect(tasks.allSatisfy { $0.name == "task \($0.id)" })
        var read: [TraceTaskID: [TransitionRecord]] = [:]
        try reader.forEachTransition { read[$0.taskID, default: []].append($0) }
        #expect(read == expected)
    }

    @Test("finish returns with the file closed: a new recording can take the path at once")
    func finishClosesTheFile() throws {
        let path = temporaryPath("closed")
        defer { unlink(path) }
        let sink = try SQLiteTraceSink(path: path)
        try sink.write(TraceBatch(transitions: life(7, at: 0), tasks: [TaskRecord(id: 7)]))
        try sink.finish(meta: [:])
        // The sink object is still alive here (as when tasks outlive a recording); its file must not be.
        let next = try TraceWriter(path: path)
        try next.finish()
        withExtendedLifetime(sink) {}
    }

    @Test("a sink dropped unfinished lets its store thread go and its file be taken again")
    func droppedUnfinished() async throws {
        let path = temporaryPath("dropped")
        defer { unlink(path) }
        do {
            let sink = try SQLiteTraceSink(path: path)
            try sink.write(TraceBatch(transitions: life(3, at: 0), tasks: [TaskRecord(id: 3)]))
        }
        // The store thread exits on its own schedule: wait for the path to be free (a liveness bound, not a speed
        // check), then take it.
        var reopened: TraceWriter?
        for _ in 0..<500 where reopened == nil {
            reopened = try? TraceWriter(path: path)
            if reopened == nil { try await Task.sleep(nanoseconds: 10_000_000) }
        }
        #expect(reopened != nil, "the dropped sink's store thread still holds the file after 5 s")
        try reopened?.finish()
    }

    @Test("the file deleted mid-recording: a later write or finish throws .vanished and nothing is recreated")
    func failureReachesTheCaller() throws {
        let path = temporaryPath("vanish")
        let sink = try SQLiteTraceSink(path: path)
        try sink.write(TraceBatch(transitions: life(1, at: 0), tasks: [TaskRecord(id: 1)]))
        unlink(path)
        var failure: (any Error)?
        for id in 2..<50 where failure == nil {
            do {
                try sink.write(TraceBatch(transitions: life(TraceTaskID(id), at: 0), tasks: [TaskRecord(id: TraceTaskID(id))]))
            } catch { failure = error }
        }
        do {
            try sink.finish(meta: [:])
            if failure == nil { Issue.record("neither a write nor finish reported the vanished file") }
        } catch { failure = failure ?? error }
        #expect(failure as? TraceStoreError == .vanished(path: path))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a recording states what its writer and store threads cost in CPU")
    func recordingStatesItsCPU() async throws {
        let path = temporaryPath("cpu")
        defer { unlink(path) }
        _ = try await TaskTrace.record(to: path, workers: 2) { runtime in
            try await runtime.gather((0..<200).map { index in runtime.spawn("part \(index)") { index } })
        }
        let meta = try TraceReader(path: path).meta()
        let writer = meta[MetaKey.writerCPUNs].flatMap { UInt64($0) }
        let store = meta[MetaKey.storeCPUNs].flatMap { UInt64($0) }
        #expect((writer ?? 0) > 0, "writer_cpu_ns: \(meta[MetaKey.writerCPUNs] ?? "absent")")
        #expect(store != nil, "store_cpu_ns: \(meta[MetaKey.storeCPUNs] ?? "absent")")
    }
}
