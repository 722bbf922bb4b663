import Foundation
import Testing
import TaskTraceModel
@testable import TaskTrace

/// Seeded random workloads recorded with 1, 4 and 8 workers, each compared with what its tasks said they did.
///
/// `TASKTRACE_GROUND_TRUTH_SEEDS` sets the seeds per worker count (default 100: 300 recordings in the normal run).
@Suite("ground truth: the trace says what the tasks did")
struct GroundTruthTests {
    static let seedCount = ProcessInfo.processInfo.environment["TASKTRACE_GROUND_TRUTH_SEEDS"].flatMap(Int.init) ?? 100

    /// One recording of one seed; returns the differences (empty when the trace is exact).
    static func differences(seed: UInt64, workers: Int) async throws -> [String] {
        let sink = InMemoryTraceSink()
        let log = FactLog()
        let workload = RandomWorkload(seed: seed, log: log)
        try await TaskTrace.record(into: sink, workers: workers) { runtime in await workload.run(runtime) }
        return GroundTruthChecker().differences(sink: sink, facts: log.byTask)
    }

    @Test("seeded random workloads", arguments: [1, 4, 8])
    func seededWorkloads(workers: Int) async throws {
        var failures: [String] = []
        for seed in 1...UInt64(Self.seedCount) {
            let differences = try await Self.differences(seed: seed &* 7919, workers: workers)
            if !differences.isEmpty {
                failures.append("seed \(seed &* 7919), \(workers) workers:\n  " + differences.prefix(6).joined(separator: "\n  "))
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Self.seedCount) runs differ:\n\(failures.prefix(4).joined(separator: "\n"))")
    }
}
