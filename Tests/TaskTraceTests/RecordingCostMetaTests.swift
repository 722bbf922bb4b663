import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@testable import TaskTrace

/// A recording states in its `meta` what its writer thread cost in CPU (`writer_cpu_ns`), the figure the benchmark
/// compares writer changes by.
@Suite struct RecordingCostMetaTests {
    @Test("a recording states its writer's CPU time")
    func recordingStatesItsWriterCPU() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasktrace-cost-\(UUID().uuidString).sqlite").path
        defer { unlink(path) }
        _ = try await TaskTrace.record(to: path, workers: 2) { runtime in
            try await runtime.gather((0..<200).map { index in runtime.spawn("part \(index)") { index } })
        }
        let meta = try TraceReader(path: path).meta()
        let writer = meta[MetaKey.writerCPUNs].flatMap { UInt64($0) }
        #expect((writer ?? 0) > 0, "writer_cpu_ns: \(meta[MetaKey.writerCPUNs] ?? "absent")")
    }
}
