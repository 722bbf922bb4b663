import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A recording killed for real (`tasktrace record demo --scenario load`, a child process) at chosen moments:
/// the trace opens, `info`/`export`/`check` work, every batch committed before the kill is there unchanged,
/// and the tasks alive at the kill show as unfinished. SIGINT/SIGTERM finish the trace cleanly.
///
/// Moments are found by watching the live file (rows committed so far), or, for the final transaction, by the
/// writer's test hook that pauses there (`TASKTRACE_TEST_PAUSE_IN_FINISH`): no sleeps, no timing guesses.
@Suite("Crash safety: a killed recording keeps its trace", .serialized)
struct CrashSafetyCLITests {
    /// Load tasks of the long recording: enough to still be spawning when the test acts.
    static let loadTasks = 400_000

    final class Workspace {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func startLongRecording(
        _ trace: String, in workspace: Workspace, tasks: Int = loadTasks, environment: [String: String] = [:]
    ) throws -> ChildProcess {
        try ChildProcess(
            CLIRunner.binaryURL.path,
            ["record", "demo", "--scenario", "load", "--tasks", String(tasks), "--no-html", "--output", trace],
            environment: environment, outputIn: workspace.url.path
        )
    }

    /// Job rows committed so far: highest `seq` and a checksum of every row up to it.
    struct Committed: Equatable {
        var maxSeq: Int64
        var checksum: String
        var maxTimestamp: Int64
    }

    static func committed(_ trace: String, upTo seq: Int64? = nil) -> Committed? {
        let limit = seq.map { " WHERE seq <= \($0)" } ?? ""
        guard
            let row = LiveTrace.value(
                trace,
                "SELECT coalesce(max(seq), 0) || ',' || coalesce(sum((task_id % 1000003) * 7 + coalesce(created_ns, 0) % 1000003 "
                    + "+ coalesce(scheduled_ns, 0) % 1000003 * 3 + coalesce(running_ns, 0) % 1000003 * 5 "
                    + "+ coalesce(end_ns, 0) % 1000003 * 11 + coalesce(end_code, 0) * 13 + coalesce(from_thread, 0) "
                    + "+ coalesce(thread_id, 0) * 17 + coalesce(end_thread, 0) * 19), 0) || ',' "
                    + "|| coalesce(max(max(coalesce(created_ns, 0), coalesce(scheduled_ns, 0), coalesce(running_ns, 0), "
                    + "coalesce(end_ns, 0))), 0) FROM job_log\(limit)"
            )
        else { return nil }
        let parts = row.split(separator: ",").map(String.init)
        guard parts.count == 3, let maxSeq = Int64(parts[0]), let maxTimestamp = Int64(parts[2]) else { return nil }
        return Committed(maxSeq: maxSeq, checksum: parts[1], maxTimestamp: maxTimestamp)
    }

    /// What every killed trace must allow: `check` valid with the "did not finish" warning, `info`, `export`.
    static func expectUsableAfterCrash(_ trace: String, in workspace: Workspace) async throws {
        let check = try await CLIRunner.run(["check", trace, "--json"])
        #expect(check.status == 0, "check: \(check.stdout) \(check.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
        let codes = (report?["problems"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("not_finished"), "\(codes)")
        #expect(report?["valid"] as? Bool == true)

        let info = try await CLIRunner.run(["info", trace])
        #expect(info.status == 0 && info.stdout.contains("transitions: "), "info: \(info.stderr)")
        let json = workspace.path("after-crash-\(UUID().uuidString).json")
        let export = try await CLIRunner.run(["export", trace, "-o", json])
        #expect(export.status == 0, "export: \(export.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "the export after a crash is valid JSON")
        #expect(LiveTrace.value(trace, "SELECT count(*) FROM meta WHERE key = 'ended_unix_ns'") == "0")
    }

    /// The last state of the named task, read with plain SQL.
    static func lastState(_ trace: String, task name: String) -> String? {
        LiveTrace.value(
            trace,
            "SELECT l.state FROM transitions l JOIN tasks t ON t.id = l.task_id "
                + "WHERE t.name = '\(name)' ORDER BY l.ts_ns DESC, l.seq DESC LIMIT 1"
        )
    }

    @Test("SIGKILL early: right after the trace file and its start meta exist")
    func killEarly() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("early.sqlite")
        let child = try Self.startLongRecording(trace, in: workspace)
        let started = await child.waitUntil {
            LiveTrace.value(trace, "SELECT count(*) FROM meta WHERE key = 'started_unix_ns'") == "1"
        }
        child.send(SIGKILL)
        let exit = try #require(await child.wait())
        #expect(started)
        #expect(exit.signal == SIGKILL, "\(exit)")
        try await Self.expectUsableAfterCrash(trace, in: workspace)
        #expect(LiveTrace.value(trace, "SELECT value FROM meta WHERE key = 'pid'") == String(child.pid))
    }

    @Test("SIGKILL mid-burst: every committed batch is there unchanged, up to the kill; running tasks unfinished")
    func killMidBurst() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("burst.sqlite")
        let child = try Self.startLongRecording(trace, in: workspace)
        // Wait for a burst well under way (~40k transitions: ~13k jobs), then for one more commit, and kill right
        // after seeing it (polling the cheap job count, then one consistent snapshot of every committed row).
        var lastSeq: Int64 = 0
        let inBurst = await child.waitUntil {
            guard let now = LiveTrace.int(trace, Self.committedJobs), now >= 13_000 else {
                return false
            }
            defer { lastSeq = now }
            return lastSeq > 0 && now > lastSeq
        }
        let before = Self.committed(trace)
        child.send(SIGKILL)
        let killedAt = unixNanos()
        let exit = try #require(await child.wait())
        #expect(inBurst, "the recording ended before the burst was seen")
        #expect(exit.signal == SIGKILL, "\(exit)")
        let seen = try #require(before)

        // Everything seen committed before the kill is there, byte for byte (checksum of those rows).
        #expect(Self.committed(trace, upTo: seen.maxSeq) == seen)
        let after = try #require(Self.committed(trace))
        #expect(after.maxSeq >= seen.maxSeq)
        // How close to the kill the trace reaches: the writer commits every flush interval (2–10 ms) and holds an
        // open job's row at most 100 ms, so the gap is about that plus one batch's write; the bound here is loose because the debug build and a busy
        // machine slow the writer, the measured gap is printed.
        let started = try #require(LiveTrace.int(trace, "SELECT value FROM meta WHERE key = 'started_unix_ns'"))
        let gapMillis = Double(killedAt - started - after.maxTimestamp) / 1e6
        print("crash safety: last committed transition \(String(format: "%.1f", gapMillis)) ms before the SIGKILL")
        #expect(gapMillis < 5_000, "last committed transition \(gapMillis) ms before the kill")

        // The root and the load scenario were alive: unfinished (last state not terminal).
        for name in ["demo", "load"] {
            let state = Self.lastState(trace, task: name)
            #expect(state != nil && !["done", "cancelled", "errored"].contains(state ?? ""), "\(name): \(state ?? "none")")
        }
        try await Self.expectUsableAfterCrash(trace, in: workspace)
    }

    @Test("SIGKILL inside the final transaction: the whole run is there, only the end meta and the last held rows are not")
    func killInFinalTransaction() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("index.sqlite")
        let marker = workspace.path("paused")
        let tasks = 3_000
        let child = try Self.startLongRecording(
            trace, in: workspace, tasks: tasks, environment: ["TASKTRACE_TEST_PAUSE_IN_FINISH": marker]
        )
        let paused = await child.waitUntil { FileManager.default.fileExists(atPath: marker) }
        child.send(SIGKILL)
        let exit = try #require(await child.wait())
        #expect(paused, "the writer never reached its final transaction: \(child.stderr)")
        #expect(exit.signal == SIGKILL, "\(exit)")
        // The final transaction (end meta + held rows) was rolled back as a whole: `expectUsableAfterCrash` checks
        // that no `ended_unix_ns` is there. Every load task the test asked for ran to the end before the final
        // flush, and its last job's row (which holds its `done`) was committed then.
        #expect(
            LiveTrace.value(
                trace,
                "SELECT count(DISTINCT j.task_id) FROM job_log j JOIN tasks t ON t.id = j.task_id "
                    + "WHERE t.name LIKE 'load-%' AND j.end_code = 4"
            ) == String(tasks)
        )
        #expect(Self.lastState(trace, task: "demo") == "done")
        try await Self.expectUsableAfterCrash(trace, in: workspace)
    }

    /// Jobs committed so far, counted without unpacking them (`job_log` rows are JSON batches since version 3).
    static let committedJobs = "SELECT coalesce(sum(json_array_length(jobs)), 0) FROM job_batches"

    @Test("SIGINT and SIGTERM mid-burst: a clean finish (end meta, no WAL left), exit 128 + signal", arguments: [SIGINT, SIGTERM])
    func interruptFinishesCleanly(signal: Int32) async throws {
        let workspace = try Workspace()
        let trace = workspace.path("interrupted.sqlite")
        let child = try Self.startLongRecording(trace, in: workspace, tasks: 150_000)
        let inBurst = await child.waitUntil { (LiveTrace.int(trace, Self.committedJobs) ?? 0) >= 7_000 }
        child.send(signal)
        let exit = try #require(await child.wait(), "the interrupted recording hung")
        #expect(inBurst)
        #expect(exit.status == 128 + signal, "\(exit) \(child.stderr)")
        #expect(child.stderr.hasPrefix("tasktrace: interrupted"), "\(child.stderr)")
        #expect(LiveTrace.value(trace, "SELECT count(*) FROM meta WHERE key = 'ended_unix_ns'") == "1")
        #expect(!FileManager.default.fileExists(atPath: trace + "-wal"))
        let check = try await CLIRunner.run(["check", trace])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(!check.stdout.contains("not_finished") && !check.stdout.contains("did not finish"), "\(check.stdout)")
    }

    @Test("a second recording on a path being recorded is refused with one line; the first one's file is untouched")
    func concurrentRecordingsOnOnePath() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("shared.sqlite")
        let marker = workspace.path("paused")
        let first = try Self.startLongRecording(
            trace, in: workspace, tasks: 2_000, environment: ["TASKTRACE_TEST_PAUSE_IN_FINISH": marker]
        )
        let paused = await first.waitUntil { FileManager.default.fileExists(atPath: marker) }
        #expect(paused)
        let second = try await CLIRunner.run(["record", "demo", "--scenario", "coroutine", "--no-html", "--output", trace])
        first.send(SIGKILL)
        _ = await first.wait()
        #expect(second.status == 1)
        #expect(second.stderr == "tasktrace: \(trace): another recording is writing this trace file right now; choose another output path\n")
        #expect(LiveTrace.value(trace, "SELECT value FROM meta WHERE key = 'pid'") == String(first.pid))
        #expect(LiveTrace.value(trace, "SELECT count(*) FROM tasks WHERE name = 'coroutine'") == "0")
    }
}

extension CrashSafetyCLITests {
    @Test("exit() inside the recording: the process ends with that status, the trace is kept as after a crash")
    func exitInsideTheRecording() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("exit.sqlite")
        let child = try ChildProcess(
            CLIRunner.binaryURL.path, ["record", "demo", "--scenario", "exit", "--no-html", "--output", trace],
            outputIn: workspace.url.path
        )
        let exit = try #require(await child.wait(), "exit() inside the recording hung")
        #expect(exit.status == 3, "\(exit): \(child.stderr)")
        try await Self.expectUsableAfterCrash(trace, in: workspace)
        for name in ["demo", "exit"] {
            let state = Self.lastState(trace, task: name)
            #expect(state != nil && !["done", "cancelled", "errored"].contains(state ?? ""), "\(name): \(state ?? "none")")
        }
        let kept = LiveTrace.value(trace, "SELECT count(*) FROM tasks WHERE name LIKE 'before-exit-%'") ?? "?"
        print("exit(): \(kept) of the 100 tasks finished 300 ms before exit() are in the trace")
    }
}
