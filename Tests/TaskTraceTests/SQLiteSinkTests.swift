import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@testable import TaskTrace

/// `SQLiteTraceSink` claims its path at `init` and leaves the schema to the recorder's writer thread:
/// errors about the path still come before the program runs, and the file is a whole trace in the end. Planted
/// once, and caught: an `init` that made the writer at once ("claims the path only": the file was not empty).
@Suite("SQLite sink")
struct SQLiteSinkTests {
    @Test(
        "init claims the path only; the recording's writer thread writes the schema, the trace is whole",
        arguments: [1, 2])
    func schemaWrittenByTheWriter(workers: Int) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try SQLiteTraceSink(path: path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 0, "the sink's init wrote \(size ?? -1) bytes")
        // A second recording on the path is refused at once, before any program runs.
        #expect(throws: TraceStoreError.self) { _ = try SQLiteTraceSink(path: path) }
        let value = try await TaskTrace.record(into: sink, workers: workers) { runtime in
            try await runtime.spawn("child") { 41 }.value + 1
        }
        #expect(value == 42)
        let reader = try TraceReader(path: path)
        #expect(try reader.meta()[MetaKey.endedUnixNs] != nil)
        #expect(try reader.tasks().map(\.name).contains("child"))
        #expect(TraceChecker.check(path: path).isValid)
    }

    @Test("a sink never begun still finishes into a whole, empty trace")
    func finishWithoutBegin() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try SQLiteTraceSink(path: path)
        try sink.finish(meta: [MetaKey.endedUnixNs: "1"])
        try sink.finish(meta: [:])  // again: nothing left to do
        let reader = try TraceReader(path: path)
        #expect(try reader.meta()[MetaKey.endedUnixNs] == "1")
        #expect(try reader.tasks().isEmpty)
    }
}
