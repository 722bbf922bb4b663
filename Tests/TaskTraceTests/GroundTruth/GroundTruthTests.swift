import Foundation
import Testing
import TaskTraceModel
@testable import TaskTrace

/// Seeded random workloads recorded with 1, 4 and 8 workers, each compared with what its tasks said they did.
///
/// `TASKTRACE_GROUND_TRUTH_SEEDS` sets the seeds per worker count (default 100: 300 recordings in the normal run).
///
/// Recorded with `CLOCK_MONOTONIC` stamps, the clock the facts are read with: the checks compare a fact's time
/// with segment boundaries to the nanosecond, and the default TSC clock's stamps are converted to that time line
/// by calibration, within a microsecond or so (`ThreadEventLogTests` checks the conversion; the merge and the
/// deriver, what these tests are about, run the same either way: they order by raw stamp).
@Suite("ground truth: the trace says what the tasks did")
struct GroundTruthTests {
    static let seedCount = ProcessInfo.processInfo.environment["TASKTRACE_GROUND_TRUTH_SEEDS"].flatMap(Int.init) ?? 100

    /// `workers` and the monotonic clock (see above).
    static func configuration(workers: Int) -> TraceConfiguration {
        var configuration = TraceConfiguration(workers: workers)
        configuration.clock = .monotonic
        return configuration
    }

    /// One recording of one seed; returns the differences (empty when the trace is exact).
    static func differences(seed: UInt64, workers: Int) async throws -> [String] {
        let sink = InMemoryTraceSink()
        let log = FactLog()
        let workload = RandomWorkload(seed: seed, log: log)
        try await TaskTrace.record(into: sink, configuration: Self.configuration(workers: workers)) { runtime in
            await workload.run(runtime)
        }
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

extension GroundTruthTests {
    /// Many tasks yielding many times on several workers: a task's next job often starts on another worker
    /// before its previous job's end is recorded (the race the deriver orders causally). Each job must still be
    /// its own running segment on the thread that ran it.
    @Test("yield-heavy: every job its own segment, on its own thread", arguments: [1, 4, 8])
    func yieldHeavy(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        let log = FactLog()
        try await TaskTrace.record(into: sink, configuration: Self.configuration(workers: workers)) { runtime in
            log.attach(runtime)
            let root = runtime.currentTaskID
            let tasks = (0..<200).map { index in
                runtime.spawn("yielder-\(index)") {
                    log.note(.entered(name: "yielder-\(index)", kind: .spawned, parent: root))
                    for _ in 0..<10 {
                        log.note(.awaitBegan(suspends: true))
                        await Task.yield()
                        log.note(.resumed)
                    }
                    log.note(.returned)
                }
            }
            _ = await runtime.gatherResults(tasks)
        }
        let facts = log.byTask
        #expect(facts.count == 200)
        let differences = GroundTruthChecker().differences(sink: sink, facts: facts)
        #expect(differences.isEmpty, "\(differences.count) differences: \(differences.prefix(5))")
        // Each yield that really suspended (its facts in different jobs) shows as a segment of its own.
        for (task, taskFacts) in facts {
            let jobs = Set(taskFacts.map { "\($0.thread)/\($0.job)" }).count
            let running = sink.transitions(of: task).filter { $0 == .running }.count
            #expect(running == jobs, "task \(task): \(running) running segments for \(jobs) jobs")
        }
    }
}
