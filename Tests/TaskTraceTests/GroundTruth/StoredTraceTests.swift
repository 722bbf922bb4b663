import Foundation
import Testing
import TaskTraceModel
import TaskTraceStore
@testable import TaskTrace

/// The SQLite file holds exactly what the recorder produced: the ground-truth workloads are recorded once into a
/// sink that hands every batch both to memory and to a trace file, and the file read back (job rows unpacked,
/// inferred-outcome flags spelled out as marks) must equal the in-memory rows task by task. This covers the
/// writer's packing on real recorder batches (dense slots, held rows, inferred ends) with 1, 4 and 8 workers.
@Suite("ground truth: the trace file holds what the recorder produced")
struct StoredTraceTests {
    /// Hands every call to an in-memory sink and to a SQLite sink.
    final class TeeSink: TraceSink {
        let memory = InMemoryTraceSink()
        let file: SQLiteTraceSink

        init(path: String) throws { file = try SQLiteTraceSink(path: path) }

        func begin(meta: [String: String]) throws {
            try memory.begin(meta: meta)
            try file.begin(meta: meta)
        }

        func write(_ batch: TraceBatch) throws {
            try memory.write(batch)
            try file.write(batch)
        }

        func idle() throws { try file.idle() }

        func finish(meta: [String: String]) throws {
            try memory.finish(meta: meta)
            try file.finish(meta: meta)
        }
    }

    /// Differences between the file and the in-memory rows, empty when the file is exact.
    static func differences(file path: String, memory: InMemoryTraceSink) throws -> [String] {
        var differences: [String] = []
        let reader = try TraceReader(path: path)
        var stored: [TraceTaskID: [TransitionRecord]] = [:]
        try reader.forEachTransition { stored[$0.taskID, default: []].append($0) }
        let recorded = Dictionary(grouping: memory.transitions, by: \.taskID)
        for (task, transitions) in recorded where stored[task] != transitions {
            differences.append("task \(task): stored \(stored[task]?.map(\.state.name) ?? []) ≠ recorded \(transitions.map(\.state.name))")
        }
        for task in stored.keys where recorded[task] == nil { differences.append("task \(task): stored but never recorded") }
        let storedTasks = Dictionary(uniqueKeysWithValues: try reader.tasks().map { ($0.id, $0) })
        for task in memory.tasks where storedTasks[task.id] != task {
            differences.append("task \(task.id): row \(String(describing: storedTasks[task.id])) ≠ \(task)")
        }
        func key(_ mark: MarkRecord) -> String { "\(mark.taskID ?? 0)|\(mark.timestamp)|\(mark.kind)|\(mark.detail ?? "")" }
        let storedMarks = try reader.marks().map(key).sorted()
        let recordedMarks = memory.marks.map(key).sorted()
        if storedMarks != recordedMarks {
            differences.append("marks: \(storedMarks.count) stored, \(recordedMarks.count) recorded, first differing "
                + "\(zip(storedMarks, recordedMarks).first { $0 != $1 }.map { "\($0)" } ?? "count")")
        }
        return differences
    }

    @Test("seeded random workloads, the file against the recorder's rows", arguments: [1, 4, 8])
    func seededWorkloads(workers: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-stored-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var failures: [String] = []
        for seed in 1...UInt64(20) {
            let path = directory.appendingPathComponent("\(seed).sqlite").path
            let sink = try TeeSink(path: path)
            let workload = RandomWorkload(seed: seed &* 7919, log: FactLog())
            try await TaskTrace.record(into: sink, workers: workers) { runtime in await workload.run(runtime) }
            let differences = try Self.differences(file: path, memory: sink.memory)
            if !differences.isEmpty {
                failures.append("seed \(seed &* 7919), \(workers) workers:\n  " + differences.prefix(4).joined(separator: "\n  "))
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 20 files differ:\n\(failures.prefix(3).joined(separator: "\n"))")
    }
}
