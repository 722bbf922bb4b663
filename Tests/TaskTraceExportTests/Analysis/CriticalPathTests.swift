import TaskTraceExport
import TaskTraceModel
import Testing

/// Critical paths of hand-made task trees on one worker (thread 1). A wake enqueued from thread 1 during another
/// task's job is how the trace records "that job woke me"; a wake with no thread is a timer. Expected chains and
/// shares are worked out from the rows in the comments.
@Suite("Analysis: critical path")
struct CriticalPathTests {
    static let t = ConstructedTrace.ticks

    /// One task that runs, sleeps (timer wake), and ends: `created`, `scheduled`, then the given job spans.
    static func sleeper(
        _ trace: inout ConstructedTrace, _ id: TraceTaskID, created: UInt64, jobs: [(UInt64, UInt64)],
        timerWakes: [UInt64], end: TaskState
    ) {
        trace.at(created, id, .created)
        trace.at(created, id, .scheduled)
        for (index, job) in jobs.enumerated() {
            if index > 0 { trace.at(timerWakes[index - 1], id, .scheduled) }
            trace.at(job.0, id, .running, thread: 1)
            if index < jobs.count - 1 { trace.at(job.1, id, .suspended) } else { trace.at(job.1, id, end) }
        }
    }

    func share(_ path: CriticalPath, _ timeline: Timeline, _ id: TraceTaskID) -> CriticalPath.Share? {
        path.shares.first { timeline.tasks[$0.taskIndex].id == id }
    }

    @Test func sequentialChildrenAreBothOnThePath() throws {
        // P runs 0–10 (spawns A at 5), waits; A runs 10–20, sleeps, timer 98, runs 100–110 and wakes P at 105;
        // P runs 110–120 (spawns B at 115), waits; B runs 120–130, sleeps, timer 198, runs 200–210, wakes P at 205;
        // P runs 210–220, done.
        var trace = ConstructedTrace(durationTicks: 220)
        trace.task(1, "P", kind: .root)
        trace.task(2, "A", parent: 1)
        trace.task(3, "B", parent: 1)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(105, 1, .scheduled, thread: 1)
        trace.at(110, 1, .running, thread: 1)
        trace.at(120, 1, .suspended)
        trace.at(205, 1, .scheduled, thread: 1)
        trace.at(210, 1, .running, thread: 1)
        trace.at(220, 1, .done)
        Self.sleeper(&trace, 2, created: 5, jobs: [(10, 20), (100, 110)], timerWakes: [98], end: .done)
        Self.sleeper(&trace, 3, created: 115, jobs: [(120, 130), (200, 210)], timerWakes: [198], end: .done)
        let timeline = trace.timeline
        let path = try #require(timeline.criticalPath(ofTask: timeline.index(of: 1)))
        #expect(path.chain.map { timeline.tasks[$0].id } == [1, 2, 3])
        #expect(path.start == 0 && path.end == Self.t(220))
        // P: running 0–5, 110–115, 210–220 = 20; queued 105–110, 205–210 = 10.
        let p = try #require(share(path, timeline, 1))
        #expect(p.time == Self.t(30) && p.running == Self.t(20) && p.queued == Self.t(10) && p.waiting == 0)
        #expect(p.waitedFor.map { timeline.tasks[$0].id } == [2, 3])
        // A: queued 5–10 and 98–100 = 7; running 10–20 and 100–105 = 15; waiting (timer) 20–98 = 78.
        let a = try #require(share(path, timeline, 2))
        #expect(a.time == Self.t(100) && a.running == Self.t(15) && a.queued == Self.t(7) && a.waiting == Self.t(78))
        // B: queued 115–120 and 198–200 = 7; running 120–130 and 200–205 = 15; waiting 130–198 = 68.
        let b = try #require(share(path, timeline, 3))
        #expect(b.time == Self.t(90) && b.running == Self.t(15) && b.waiting == Self.t(68))
        #expect(path.shares.reduce(0) { $0 + $1.time } == path.duration)
        #expect(p.perMille == 136 && a.perMille == 455 && b.perMille == 409)
        // The steps tile the path.
        for (previous, next) in zip(path.steps, path.steps.dropFirst()) { #expect(previous.end == next.start) }
    }

    @Test func onlyTheLastParallelChildIsOnThePath() throws {
        // P runs 0–10 (spawns A at 2, B at 4), waits for both (gather: only the last end wakes it).
        // A runs 10–15, sleeps, timer 48, runs 50–55, done (wakes nobody). B runs 15–20, sleeps, timer 98,
        // runs 100–110 and wakes P at 105. P runs 110–120, done.
        var trace = ConstructedTrace(durationTicks: 120)
        trace.task(1, "P", kind: .root)
        trace.task(2, "A", parent: 1)
        trace.task(3, "B", parent: 1)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(105, 1, .scheduled, thread: 1)
        trace.at(110, 1, .running, thread: 1)
        trace.at(120, 1, .done)
        Self.sleeper(&trace, 2, created: 2, jobs: [(10, 15), (50, 55)], timerWakes: [48], end: .done)
        Self.sleeper(&trace, 3, created: 4, jobs: [(15, 20), (100, 110)], timerWakes: [98], end: .done)
        let timeline = trace.timeline
        let path = try #require(timeline.criticalPath(ofTask: timeline.index(of: 1)))
        #expect(path.chain.map { timeline.tasks[$0].id } == [1, 3])
        // P: running 0–4 and 110–120 = 14, queued 105–110 = 5. B: queued 4–15 and 98–100 = 13, running 15–20 and
        // 100–105 = 10, waiting 20–98 = 78.
        let p = try #require(share(path, timeline, 1))
        #expect(p.time == Self.t(19) && p.running == Self.t(14) && p.queued == Self.t(5))
        let b = try #require(share(path, timeline, 3))
        #expect(b.time == Self.t(101) && b.queued == Self.t(13) && b.running == Self.t(10) && b.waiting == Self.t(78))
    }

    @Test func nestedChildrenChainThroughEachLevel() throws {
        // P runs 0–10 (spawns A at 5), waits. A runs 10–20 (spawns A1 at 15), waits. A1 runs 20–30, sleeps,
        // timer 78, runs 80–90, wakes A at 85, done. A runs 90–95, wakes P at 93, done 95. P runs 95–100, done.
        var trace = ConstructedTrace(durationTicks: 100)
        trace.task(1, "P", kind: .root)
        trace.task(2, "A", parent: 1)
        trace.task(3, "A1", parent: 2)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(5, 2, .created)
        trace.at(5, 2, .scheduled)
        trace.at(10, 2, .running, thread: 1)
        trace.at(20, 2, .suspended)
        trace.at(85, 2, .scheduled, thread: 1)
        trace.at(90, 2, .running, thread: 1)
        trace.at(93, 1, .scheduled, thread: 1)
        trace.at(95, 2, .done)
        trace.at(95, 1, .running, thread: 1)
        trace.at(100, 1, .done)
        Self.sleeper(&trace, 3, created: 15, jobs: [(20, 30), (80, 90)], timerWakes: [78], end: .done)
        let timeline = trace.timeline
        let path = try #require(timeline.criticalPath(ofTask: timeline.index(of: 1)))
        #expect(path.chain.map { timeline.tasks[$0].id } == [1, 2, 3])
        // P: running 0–5 and 95–100 = 10, queued 93–95 = 2. A: queued 5–10 and 85–90 = 10, running 10–15 and
        // 90–93 = 8. A1: queued 15–20 and 78–80 = 7, running 20–30 and 80–85 = 15, waiting 30–78 = 48.
        let p = try #require(share(path, timeline, 1))
        let a = try #require(share(path, timeline, 2))
        let a1 = try #require(share(path, timeline, 3))
        #expect(p.time == Self.t(12) && a.time == Self.t(18) && a1.time == Self.t(70))
        #expect(a1.waiting == Self.t(48) && a.running == Self.t(8))
        #expect(a.waitedFor.map { timeline.tasks[$0].id } == [3])
    }

    @Test func aCancelledBranchCountsOnlyAfterTheCancellation() throws {
        // P runs 0–10 (spawns A at 2, B at 4), waits. A runs 10–15, sleeps, timer 48, runs 50–55, wakes P at 52,
        // errors. B runs 15–20, sleeps. P runs 55–60, cancels B at 57 (B woken from thread 1), waits.
        // B runs 60–65, wakes P at 63, cancelled. P runs 65–70, errored.
        var trace = ConstructedTrace(durationTicks: 70)
        trace.task(1, "P", kind: .root)
        trace.task(2, "A", parent: 1)
        trace.task(3, "B", parent: 1)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(52, 1, .scheduled, thread: 1)
        trace.at(55, 1, .running, thread: 1)
        trace.at(60, 1, .suspended)
        trace.at(63, 1, .scheduled, thread: 1)
        trace.at(65, 1, .running, thread: 1)
        trace.at(70, 1, .errored)
        Self.sleeper(&trace, 2, created: 2, jobs: [(10, 15), (50, 55)], timerWakes: [48], end: .errored)
        trace.at(4, 3, .created)
        trace.at(4, 3, .scheduled)
        trace.at(15, 3, .running, thread: 1)
        trace.at(20, 3, .suspended)
        trace.mark(57, 3, MarkKind.cancelRequested, "by task 1: sibling failed")
        trace.at(57, 3, .scheduled, thread: 1)
        trace.at(60, 3, .running, thread: 1)
        trace.at(65, 3, .cancelled)
        let timeline = trace.timeline
        let path = try #require(timeline.criticalPath(ofTask: timeline.index(of: 1)))
        #expect(path.chain.map { timeline.tasks[$0].id } == [1, 2, 3])
        // P: running 0–2, 55–57, 65–70 = 9; queued 52–55, 63–65 = 5. A: queued 2–10 and 48–50 = 10, running 10–15
        // and 50–52 = 7, waiting 15–48 = 33. B only after the cancel: queued 57–60, running 60–63.
        let p = try #require(share(path, timeline, 1))
        let a = try #require(share(path, timeline, 2))
        let b = try #require(share(path, timeline, 3))
        #expect(p.time == Self.t(14) && p.running == Self.t(9) && p.queued == Self.t(5))
        #expect(a.time == Self.t(50) && a.waiting == Self.t(33))
        #expect(b.time == Self.t(6) && b.queued == Self.t(3) && b.running == Self.t(3) && b.waiting == 0)
        #expect(b.waitedFor.map { timeline.tasks[$0].id } == [1])
        #expect(p.waitedFor.map { timeline.tasks[$0].id } == [2, 3])
    }
}
