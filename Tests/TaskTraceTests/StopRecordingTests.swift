import Dispatch
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// Ending a recording while workers are still inside recorded jobs: the recorder must wait for those jobs' ends
/// (the busy count in `JobQueue`, decremented without the lock) before its last drain, so no end arrives late.
@Suite("Stopping a recording")
struct StopRecordingTests {
    @Test("a job still running when the body returns is recorded to its end, with nothing late or reordered")
    func runningJobsFinishBeforeTheLastDrain() async throws {
        let sink = InMemoryTraceSink()
        let started = Atomic<Int>(0)
        try await TaskTrace.record(into: sink, workers: 2) { runtime in
            for index in 0..<2 {
                // Fire and forget: each spins ~50 ms inside one job, so both workers are busy when the body returns.
                _ = runtime.spawn("spinner \(index)") { () -> Int in
                    started.add(1, ordering: .relaxed)
                    let until = DispatchTime.now().uptimeNanoseconds + 50_000_000
                    var spins = 0
                    while DispatchTime.now().uptimeNanoseconds < until { spins &+= 1 }
                    return spins
                }
            }
            while started.load(ordering: .relaxed) == 0 { await Task.yield() }
        }
        TraceAssertions.expectValid(sink)
        let spinners = sink.tasks.filter { $0.name?.hasPrefix("spinner") == true }.map(\.id)
        for id in spinners {
            let states = sink.transitions.filter { $0.taskID == id }.map(\.state)
            // A spinner that started ran to its end inside the recording; one that never started is left queued.
            if states.contains(.running) {
                #expect(states.last == .done, "spinner \(id): \(states)")
            }
        }
    }
}
