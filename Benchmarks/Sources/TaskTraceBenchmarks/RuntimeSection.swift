import Foundation
import TaskTrace
import TaskTraceStore

/// The traced program against the same program on Swift's global executor, interleaved in one process:
/// each round runs global, traced with 1 worker, traced with 2 workers, traced with 2 workers into a sink that
/// discards rows (a b c d a b c d …), per workload.
struct RuntimeSection {
    /// Timings of one round of one workload.
    struct Round {
        var global: Double
        /// Per worker count: the whole `record` call (file finished) and the body's own time.
        var whole: [Int: Double] = [:]
        var body: [Int: Double] = [:]
        /// Per worker count: from the `record` call to the body's first line (opening the file, starting threads).
        var setup: [Int: Double] = [:]
        /// The whole `record` call with the most workers into `DiscardingSink` (no SQLite).
        var discardingWhole = 0.0
    }

    let rounds: Int
    let workerCounts: [Int]
    /// The workloads to run (all by default; `--workloads` narrows it for A/B runs of one shape).
    var workloads: [Workload] = Workload.allCases
    let directory: String
    /// Where the spawn-heavy trace of the last round (most workers) is kept, for the export section.
    var keptSpawnTrace: String { directory + "/spawn-100k.sqlite" }

    private(set) var results: [Workload: [Round]] = [:]
    private(set) var dropped: UInt64 = 0
    private(set) var transitionsRecorded: [Workload: Int] = [:]
    private(set) var integrityProblems: [String] = []
    /// Per workload and worker count, per counted round: CPU ns the recording's writer thread spent per transition
    /// (`meta.writer_cpu_ns`). CPU time, so it holds still on a loaded machine
    /// where wall-clock ratios do not: the figure to compare writer changes by.
    private(set) var writerCPUPerTransition: [Workload: [Int: [Double]]] = [:]

    mutating func run(log: (String) -> Void) async throws {
        // Round 0 warms up (the global pool's threads, the allocator's arenas, the file cache) and is not counted:
        // measured cold, the first global spawn-heavy run took 2-3x the later ones.
        for round in 0...rounds {
            for workload in workloads {
                var timing = Round(global: 0)
                var checksum = 0
                timing.global = await Stopwatch.seconds { checksum = await Task { await workload.run() }.value }
                for workers in workerCounts {
                    let path =
                        workload == .spawn && workers == workerCounts.last
                        ? keptSpawnTrace : directory + "/\(workload.rawValue)-w\(workers).sqlite"
                    var body = 0.0
                    var bodyStart: UInt64 = 0
                    var tracedChecksum = 0
                    let callStart = Stopwatch.nanos()
                    let whole = try await Stopwatch.seconds {
                        (tracedChecksum, bodyStart, body) = try await TaskTrace.record(to: path, workers: workers) {
                            _ in
                            var value = 0
                            let start = Stopwatch.nanos()
                            let seconds = await Stopwatch.seconds { value = await workload.run() }
                            return (value, start, seconds)
                        }
                    }
                    if tracedChecksum != checksum { integrityProblems.append("\(workload) checksum differs") }
                    timing.whole[workers] = whole
                    timing.body[workers] = body
                    timing.setup[workers] = Double(bodyStart &- callStart) / 1e9
                    if round > 0 { try inspect(path, workload: workload, workers: workers) }
                }
                if let workers = workerCounts.last {
                    timing.discardingWhole = try await Stopwatch.seconds {
                        _ = try await TaskTrace.record(into: DiscardingSink(), workers: workers) { _ in
                            await workload.run()
                        }
                    }
                }
                if round > 0 { results[workload, default: []].append(timing) }
                log(
                    String(
                        format: "%@ %d %@: global %.3f s; %@", round == 0 ? "warm-up" : "round", round,
                        workload.rawValue, timing.global,
                        workerCounts.map { w in
                            String(format: "%dw whole %.3f body %.3f", w, timing.whole[w] ?? 0, timing.body[w] ?? 0)
                        }.joined(separator: "; ")
                            + String(format: "; discarding sink whole %.3f", timing.discardingWhole)
                    ) + " (load \(Machine.loadAverage()))"
                )
            }
        }
    }

    /// Adds the trace's dropped events and integrity counters to the totals.
    private mutating func inspect(_ path: String, workload: Workload, workers: Int) throws {
        let reader = try TraceReader(path: path)
        let meta = try reader.meta()
        dropped += UInt64(meta["dropped_events"] ?? "0") ?? 0
        for key in ["skipped_events", "late_events"] where (meta[key] ?? "0") != "0" {
            integrityProblems.append("\(workload.rawValue) \(workers)w: \(key)=\(meta[key] ?? "")")
        }
        let transitions = try reader.transitionCount()
        transitionsRecorded[workload] = transitions
        if let writer = meta["writer_cpu_ns"].flatMap(Double.init), transitions > 0 {
            writerCPUPerTransition[workload, default: [:]][workers, default: []].append(writer / Double(transitions))
        }
    }

    /// Median over rounds of the writer's CPU ns per transition.
    func writerCPUNanosPerTransition(_ workload: Workload, workers: Int) -> Double {
        Statistics.median(writerCPUPerTransition[workload]?[workers] ?? [])
    }

    /// Median over rounds of the time `record` took after the body returned (stopping, draining, finishing the
    /// file), in ms: what the writer's backlog costs.
    func tailMilliseconds(_ workload: Workload, workers: Int) -> Double {
        let rows = results[workload] ?? []
        return 1000
            * Statistics.median(
                rows.map { ($0.whole[workers] ?? .nan) - ($0.body[workers] ?? .nan) - ($0.setup[workers] ?? .nan) })
    }

    /// Median over rounds of the time from the `record` call to the body's start (creating the file and its
    /// schema, starting or waking the threads), in ms.
    func setupMilliseconds(_ workload: Workload, workers: Int) -> Double {
        let rows = results[workload] ?? []
        return 1000 * Statistics.median(rows.map { $0.setup[workers] ?? .nan })
    }

    /// Median over rounds of (traced whole or body) / global.
    func ratio(_ workload: Workload, workers: Int, body: Bool) -> Double {
        let rows = results[workload] ?? []
        return Statistics.medianRatio(
            rows.map { (body ? $0.body[workers] : $0.whole[workers]) ?? .nan }, rows.map(\.global))
    }

    /// Median over rounds of the whole recording into `DiscardingSink` / global.
    func discardingRatio(_ workload: Workload) -> Double {
        let rows = results[workload] ?? []
        return Statistics.medianRatio(rows.map(\.discardingWhole), rows.map(\.global))
    }

    func medianSeconds(_ workload: Workload, workers: Int?, body: Bool = false) -> Double {
        let rows = results[workload] ?? []
        guard let workers else { return Statistics.median(rows.map(\.global)) }
        return Statistics.median(rows.map { (body ? $0.body[workers] : $0.whole[workers]) ?? .nan })
    }
}
