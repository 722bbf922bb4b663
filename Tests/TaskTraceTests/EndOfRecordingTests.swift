import Foundation
import Synchronization
import Testing
import TaskTraceModel
@testable import TaskTrace

/// The recording ends when its body ends: no job stuck in a blocking call holds it open, and what outlives it is
/// served without a thread per job. Configuration the recorder cannot work with is refused up front.
@Suite("end of the recording")
struct EndOfRecordingTests {
    /// A flag closures can share.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    /// Names seen, shared with a task.
    final class Names: Sendable {
        private let value = Mutex<Set<String>>([])
        func add(_ names: Set<String>) { value.withLock { $0.formUnion(names) } }
        var count: Int { value.withLock { $0.count } }
    }

    @Test("a task stuck in a blocking call does not hold the recording open; it stays running in the trace")
    func blockedTaskDoesNotHang() async throws {
        let sink = InMemoryTraceSink()
        let gate = DispatchSemaphore(value: 0)
        let returned = Flag()
        let watchdogFired = Flag()
        // Releases the blocked job after 60 s if `record` never returns (the bug): the test then fails, not hangs.
        // Generous: `record` returns ~250 ms after its body, but on a loaded 2-core machine other suites can hold
        // the cooperative pool's threads for many seconds before this test's continuation runs again.
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(60)) {
            if !returned.isSet {
                watchdogFired.set()
                gate.signal()
            }
        }
        try await TaskTrace.record(into: sink, workers: 2) { runtime in
            runtime.spawn("stuck") { gate.wait() }  // nobody awaits it
            try await Task.sleep(for: .milliseconds(20))
        }
        returned.set()
        gate.signal()
        let waited = watchdogFired.isSet
        #expect(!waited, "record waited for the blocked job")
        let stuck = try #require(sink.task(named: "stuck"))
        #expect(sink.transitions(of: stuck.id).last == .running)
        #expect(sink.isFinished)
    }

    @Test("flush intervals the writer cannot use are refused with one clear error", arguments: [0, UInt64.max])
    func badFlushInterval(nanos: UInt64) async throws {
        var configuration = TraceConfiguration(workers: 1)
        configuration.flushIntervalNanos = nanos
        await #expect(throws: TraceRuntimeError.self) {
            try await TaskTrace.record(into: InMemoryTraceSink(), configuration: configuration) { _ in 1 }
        }
    }

    @Test("a task that outlives the recording reuses a lingering late worker instead of a thread per job")
    func lateJobsShareAThread() async throws {
        let sink = InMemoryTraceSink()
        let done = Flag()
        let lateThreads = Names()
        _ = try await TaskTrace.record(into: sink, workers: 1) { runtime in
            runtime.spawn("outlives") {
                try await Task.sleep(for: .milliseconds(50))  // the recording has ended by now
                for _ in 0..<30 {
                    try await Task.sleep(for: .milliseconds(5))
                    let ids = Self.threadIDs(named: "tt-late")
                    lateThreads.add(ids)
                }
                done.set()
            }
        }
        while !done.isSet { try await Task.sleep(for: .milliseconds(10)) }
        // Jobs after the recording arrive well within the linger time, so the lingering workers serve them: a late
        // thread only when a loaded machine stretched a 5 ms sleep past the 500 ms linger (without the linger: a new
        // `tt-late` thread for nearly every one of the 30 jobs, 30 when planted).
        let count = lateThreads.count
        #expect(count <= 5, "\(count) late threads for 30 late jobs")
    }

    /// Linux thread ids of this process's threads with that name (from /proc/self/task).
    static func threadIDs(named name: String) -> Set<String> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return Set(tasks.filter { tid in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
        })
    }
}
