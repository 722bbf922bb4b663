import Foundation
@_spi(Benchmarks) import TaskTrace

/// tasktrace-benchmarks: the one benchmark suite (issue 11). Every candidate runs in this one process, interleaved
/// round by round (one uncounted warm-up round first), and comparisons are medians of per-round ratios. See
/// docs/performance.md for the figures and what each key means.
///
///   swift run -c release --package-path Benchmarks tasktrace-benchmarks [--quick] [--json] [--rounds N]
///       [--keep] [--probe-only] [--store-only] [--runtime-only [--workloads LIST]] [--export-only TRACE]
@main
struct BenchmarkSuite {
    /// The fewest rounds of the hot-path probe (each round: 200k appends on 1, 2 and 4 threads, ~12 ms).
    static let probeRounds = 15

    /// The `overhead_<workload>_vs_global_<N>w`, `inrun_…`, `tail_ms_…` and `writer_cpu_ns_per_transition_…` keys of
    /// every workload and worker count.
    static func addPerWorkerRatios(of runtime: RuntimeSection, workerCounts: [Int], to json: inout JSONLine) {
        for workload in runtime.workloads {
            for workers in workerCounts {
                json.add(
                    "overhead_\(workload.rawValue)_vs_global_\(workers)w",
                    runtime.ratio(workload, workers: workers, body: false))
                json.add(
                    "inrun_\(workload.rawValue)_vs_global_\(workers)w",
                    runtime.ratio(workload, workers: workers, body: true))
                json.add("tail_ms_\(workload.rawValue)_\(workers)w", runtime.tailMilliseconds(workload, workers: workers))
                json.add(
                    "setup_ms_\(workload.rawValue)_\(workers)w", runtime.setupMilliseconds(workload, workers: workers))
                json.add(
                    "writer_cpu_ns_per_transition_\(workload.rawValue)_\(workers)w",
                    runtime.writerCPUNanosPerTransition(workload, workers: workers))
            }
        }
    }

    static func main() async throws {
        let arguments = Set(CommandLine.arguments.dropFirst())
        let quick = arguments.contains("--quick")
        let wantsJSON = arguments.contains("--json")
        let roundsArgument = CommandLine.arguments.firstIndex(of: "--rounds").flatMap {
            CommandLine.arguments.indices.contains($0 + 1) ? Int(CommandLine.arguments[$0 + 1]) : nil
        }
        let rounds = max(5, roundsArgument ?? (quick ? 5 : 9))
        let headlineWorkers = 2
        // `--workers 1,2,4` (with `--runtime-only`): the traced candidates' worker counts (default 1 and 2; 2 must be
        // among them, the headline keys are measured with it). The discarding-sink candidate uses the largest.
        var workerCounts = [1, 2]
        if let at = CommandLine.arguments.firstIndex(of: "--workers"), CommandLine.arguments.indices.contains(at + 1) {
            let counts = CommandLine.arguments[at + 1].split(separator: ",").compactMap { Int($0) }
            guard !counts.isEmpty, counts.allSatisfy({ (1...64).contains($0) }), counts.contains(headlineWorkers),
                arguments.contains("--runtime-only")
            else {
                log("--workers goes with --runtime-only and takes a comma-separated list of counts (1-64) that includes 2")
                exit(2)
            }
            workerCounts = Array(Set(counts)).sorted()
        }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-benchmarks-\(getpid())")
            .path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // `--keep`: leave the traces and exports in the scratch folder (for profiling and inspection).
        let keep = arguments.contains("--keep")
        defer { if !keep { try? FileManager.default.removeItem(atPath: scratch) } }
        if keep { log("keeping files in \(scratch)") }

        log(
            "tasktrace-benchmarks \(quick ? "--quick " : "")rounds=\(rounds) on \(Machine.cpuModel()), \(Machine.cores) cores"
        )
        log("load average at start: \(Machine.loadAverage())")

        // `--export-only TRACE`: only the Chrome export of an existing trace (e.g. a `--keep` run's
        // spawn-100k.sqlite), `--rounds` times, for iterating on the exporter. Prints the two Chrome keys.
        let exportOnlyFlag = CommandLine.arguments.firstIndex(of: "--export-only")
        if let at = exportOnlyFlag, CommandLine.arguments.indices.contains(at + 1) {
            let figures = try ExportSection(tracePath: CommandLine.arguments[at + 1], directory: scratch)
                .runChromeOnly(rounds: rounds)
            let eventsPerSecond = Double(figures.chromeEvents) / figures.chromeWriteSeconds
            let bytesPerTask = Double(figures.chromeBytes) / Double(max(figures.tasks, 1))
            log(
                String(
                    format: "chrome export of %d tasks: %d events, %.1f MB (%.1f B/task), write %.3f s "
                        + "(median of %d, %.2f M events/s)",
                    figures.tasks, figures.chromeEvents, Double(figures.chromeBytes) / 1e6, bytesPerTask,
                    figures.chromeWriteSeconds, rounds, eventsPerSecond / 1e6))
            var json = JSONLine()
            json.add("export_chrome_events_per_s", eventsPerSecond)
            json.add("chrome_bytes_per_task", bytesPerTask)
            json.add("load_average", Machine.loadAverage())
            if wantsJSON { log(json.text) }
            return
        }

        // 1. The hot path alone: one append (clock read + buffer) from 1, 2 and 4 threads at once, interleaved.
        // At least `probeRounds` rounds even with --quick: five rounds lasted ~60 ms, short enough for one burst of
        // another machine's work on the shared cores to move their median (docs/performance.md).
        var probe: [Int: [Double]] = [:]
        let probeRounds = max(rounds, Self.probeRounds)
        for _ in 0..<probeRounds {
            for threads in [1, 2, 4] {
                if let nanos = HotPathProbe.nanosPerEvent(threads: threads, eventsPerThread: 200_000) {
                    probe[threads, default: []].append(nanos)
                }
            }
        }
        let probeMedian = probe.mapValues(Statistics.median)
        log(
            "hot path, ns per appended event (median of \(probeRounds)): "
                + [1, 2, 4].map { "\($0) thread(s) \(String(format: "%.1f", probeMedian[$0] ?? .nan))" }.joined(
                    separator: ", ")
        )

        // `--probe-only`: stop after the hot path (for A/B builds of the recorder's buffer).
        if arguments.contains("--probe-only") { return }
        // `--store-only`: only the writer on the yield-heavy shape (for A/B builds of the store).
        if arguments.contains("--store-only") {
            var rates: [Double] = []
            var perJob: [Double] = []
            for round in 0..<rounds {
                let path = scratch + "/store-yield-\(round).sqlite"
                let (rate, nanos) = try StoreSection.yieldShaped(tasks: 1_000, yields: 100, path: path)
                rates.append(rate)
                perJob.append(nanos)
                try? FileManager.default.removeItem(atPath: path)
            }
            log(
                String(
                    format: "store, yield-heavy shape: %.2f M transitions/s, %.0f ns per job (median of %d)",
                    Statistics.median(rates) / 1e6, Statistics.median(perJob), rounds))
            return
        }

        // 2. The traced program against the untraced one on Swift's global executor.
        var runtime = RuntimeSection(rounds: rounds, workerCounts: workerCounts, directory: scratch)
        // `--workloads spawn,yield,realistic`: only these (with `--runtime-only`, for A/B runs of one shape).
        if let at = CommandLine.arguments.firstIndex(of: "--workloads"), CommandLine.arguments.indices.contains(at + 1) {
            let names = CommandLine.arguments[at + 1].split(separator: ",").map(String.init)
            let chosen = names.compactMap(Workload.init(rawValue:))
            guard chosen.count == names.count, !chosen.isEmpty, arguments.contains("--runtime-only") else {
                log("--workloads goes with --runtime-only and takes a comma-separated list of: spawn, yield, realistic")
                exit(2)
            }
            runtime.workloads = chosen
        }
        try await runtime.run(log: log)
        for workload in runtime.workloads {
            for workers in workerCounts {
                log(
                    String(
                        format: "%@ %dw: whole record / global %.2f, body / global %.2f (global %.3f s, median)",
                        workload.rawValue, workers, runtime.ratio(workload, workers: workers, body: false),
                        runtime.ratio(workload, workers: workers, body: true),
                        runtime.medianSeconds(workload, workers: nil)
                    )
                )
            }
        }
        // Peak RSS so far: the recordings (and their untraced twins), before the export section loads a timeline.
        let peakRSSRecording = Machine.peakRSSMegabytes()
        log(String(format: "peak RSS after the recordings: %.0f MB", peakRSSRecording))
        for workload in runtime.workloads {
            log(
                String(
                    format: "%@ %dw into a sink that discards rows: whole record / global %.2f", workload.rawValue,
                    workerCounts.last ?? headlineWorkers, runtime.discardingRatio(workload)
                )
            )
        }
        if !runtime.integrityProblems.isEmpty { log("integrity: " + runtime.integrityProblems.joined(separator: "; ")) }

        // `--runtime-only`: stop after the runtime section (for A/B builds of the executor); the JSON line then has
        // the hot-path and runtime keys only.
        if arguments.contains("--runtime-only") {
            var json = JSONLine()
            json.add("inrun_spawn_vs_global", runtime.ratio(.spawn, workers: headlineWorkers, body: true))
            json.add("inrun_yield_vs_global", runtime.ratio(.yield, workers: headlineWorkers, body: true))
            addPerWorkerRatios(of: runtime, workerCounts: workerCounts, to: &json)
            json.add("record_ns_per_event", probeMedian[1])
            json.add("record_ns_per_event_2_threads", probeMedian[2])
            json.add("record_ns_per_event_4_threads", probeMedian[4])
            json.add("dropped_events", Double(runtime.dropped))
            json.add("integrity_problems", Double(runtime.integrityProblems.count))
            json.add("load_average", Machine.loadAverage())
            if wantsJSON { log(json.text) }
            return
        }

        // 3. The SQLite insert ceiling, through the product's writer.
        let storeRows = quick ? 1_000_000 : 2_000_000
        var storeRates: [Double] = []
        var storeFinish: [Double] = []
        for round in 0..<(quick ? 3 : rounds) {
            let (rate, finish) = try StoreSection.transitionsPerSecond(
                rows: storeRows, path: scratch + "/store-\(round).sqlite")
            storeRates.append(rate)
            storeFinish.append(finish)
            try? FileManager.default.removeItem(atPath: scratch + "/store-\(round).sqlite")
        }
        let storeRate = Statistics.median(storeRates)
        log(
            String(
                format: "store: %.2f M transitions/s into SQLite incl. finish (index %.3f s), %d rows", storeRate / 1e6,
                Statistics.median(storeFinish), storeRows))
        let recordedYield = Double(runtime.transitionsRecorded[.yield] ?? 0)
        let yieldWhole = runtime.medianSeconds(.yield, workers: headlineWorkers)
        log(
            String(
                format: "recording: yield-heavy %.0f transitions in %.3f s whole = %.2f M/s end to end", recordedYield,
                yieldWhole, recordedYield / yieldWhole / 1e6))

        // 4. Reading and exporting the 100k-task trace.
        let export = try ExportSection(tracePath: runtime.keptSpawnTrace, directory: scratch).run(rounds: quick ? 1 : 3)
        let eventsPerSecond = Double(export.chromeEvents) / export.chromeWriteSeconds
        let bytesPerTask = Double(export.chromeBytes) / Double(max(export.tasks, 1))
        log(
            String(
                format:
                    "export of %d tasks: load %.3f s; chrome %d events, %.1f MB (%.0f B/task), write %.3f s "
                    + "(%.2f M events/s), whole %.3f s; html %.3f s; stats %.3f s",
                export.tasks, export.loadSeconds, export.chromeEvents, Double(export.chromeBytes) / 1e6, bytesPerTask,
                export.chromeWriteSeconds, eventsPerSecond / 1e6, export.chromeWholeSeconds, export.htmlSeconds,
                export.statsSeconds
            )
        )
        var firstFrame: Double?
        var blankFrame: Double?
        if let chromium = ChromiumProbe.executable() {
            let blank = scratch + "/blank.html"
            _ = FileManager.default.createFile(
                atPath: blank, contents: Data("<!doctype html><title>blank</title>".utf8))
            firstFrame = ChromiumProbe.firstFrameSeconds(
                of: "file://" + export.htmlPath, chromium: chromium, scratch: scratch)
            blankFrame = ChromiumProbe.firstFrameSeconds(of: "file://" + blank, chromium: chromium, scratch: scratch)
            log(
                String(
                    format: "headless chromium screenshot: 100k html %.2f s, empty page %.2f s", firstFrame ?? .nan,
                    blankFrame ?? .nan))
        } else {
            log("headless chromium: not installed, html_100k_first_frame_s is null")
        }
        let peakRSS = Machine.peakRSSMegabytes()
        log(String(format: "peak RSS %.0f MB; load average at end: %@", peakRSS, Machine.loadAverage()))

        var json = JSONLine()
        json.add("overhead_spawn_vs_global", runtime.ratio(.spawn, workers: headlineWorkers, body: false))
        json.add("overhead_yield_vs_global", runtime.ratio(.yield, workers: headlineWorkers, body: false))
        json.add("inrun_spawn_vs_global", runtime.ratio(.spawn, workers: headlineWorkers, body: true))
        json.add("inrun_yield_vs_global", runtime.ratio(.yield, workers: headlineWorkers, body: true))
        json.add("overhead_realistic_vs_global", runtime.ratio(.realistic, workers: headlineWorkers, body: false))
        json.add("record_ns_per_event", probeMedian[1])
        json.add("transitions_per_s", storeRate)
        json.add("dropped_events", Double(runtime.dropped))
        json.add("peak_rss_mb", peakRSS)
        json.add("export_chrome_events_per_s", eventsPerSecond)
        json.add("chrome_bytes_per_task", bytesPerTask)
        json.add("export_html_s_100k", export.htmlSeconds)
        json.add("html_100k_first_frame_s", firstFrame)
        json.add("stats_s_100k", export.statsSeconds)
        addPerWorkerRatios(of: runtime, workerCounts: workerCounts, to: &json)
        for workload in Workload.allCases {
            json.add("overhead_\(workload.rawValue)_vs_global_discarding_sink", runtime.discardingRatio(workload))
        }
        json.add("record_ns_per_event_2_threads", probeMedian[2])
        json.add("record_ns_per_event_4_threads", probeMedian[4])
        json.add("recording_transitions_per_s", recordedYield / yieldWhole)
        json.add("export_chrome_s_100k", export.chromeWholeSeconds)
        json.add("html_blank_page_first_frame_s", blankFrame)
        json.add("peak_rss_mb_recording", peakRSSRecording)
        json.add("integrity_problems", Double(runtime.integrityProblems.count))
        json.add("rounds", Double(rounds))
        json.add("load_average", Machine.loadAverage())
        if wantsJSON { log(json.text) }
    }

    static func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}
