import TaskTraceExport
import TaskTraceModel
import Testing

/// Statistics on hand-made traces; every expected number is worked out from the rows in the comments.
@Suite("Analysis: statistics")
struct TaskStatisticsTests {
    static let t = ConstructedTrace.ticks

    /// A: created/scheduled 0, runs 10–30, suspended 30–100, woken 100, runs 120–200, done 200.
    /// B: created 50, scheduled 60, runs 80–90, suspended 90 until the trace ends at 500 (unfinished).
    /// C: created 20, cancelled 40 before it ever ran.
    static func trace() -> ConstructedTrace {
        var trace = ConstructedTrace(durationTicks: 500)
        trace.task(1, "alpha")
        trace.task(2, "beta-7")
        trace.task(3, "beta-12")
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(10, 1, .running, thread: 1)
        trace.at(30, 1, .suspended)
        trace.at(100, 1, .scheduled)
        trace.at(120, 1, .running, thread: 1)
        trace.at(200, 1, .done)
        trace.at(50, 2, .created)
        trace.at(60, 2, .scheduled)
        trace.at(80, 2, .running, thread: 1)
        trace.at(90, 2, .suspended)
        trace.at(20, 3, .created)
        trace.at(40, 3, .cancelled)
        trace.untrackedJobs = [UntrackedJobRecord(threadID: 1, start: t(300), end: t(350))]
        return trace
    }

    @Test func partsAddUpToTheLifetimeExactly() {
        let timeline = Self.trace().timeline
        let stats = timeline.taskStatistics()
        let a = stats[timeline.index(of: 1)]
        // scheduled 0–10 and 100–120 = 30; running 10–30 and 120–200 = 100; suspended 30–100 = 70.
        #expect(a.lifetime == Self.t(200))
        #expect(a.created == 0 && a.scheduled == Self.t(30) && a.running == Self.t(100) && a.suspended == Self.t(70))
        #expect(a.jobs == 2 && a.timeToFirstRun == Self.t(10) && a.longestJob == Self.t(80))
        #expect(a.longestQueueWait == Self.t(20))
        let b = stats[timeline.index(of: 2)]
        // Unfinished: counts to the end of the trace, 500. created 50–60, scheduled 60–80, running 80–90,
        // suspended 90–500.
        #expect(b.lifetime == Self.t(450))
        #expect(
            b.created == Self.t(10) && b.scheduled == Self.t(20) && b.running == Self.t(10)
                && b.suspended == Self.t(410))
        #expect(b.jobs == 1 && b.timeToFirstRun == Self.t(30))
        let c = stats[timeline.index(of: 3)]
        #expect(c.lifetime == Self.t(20) && c.created == Self.t(20) && c.jobs == 0 && c.timeToFirstRun == nil)
        for row in stats {
            #expect(row.created + row.scheduled + row.running + row.suspended == row.lifetime, "task \(row.id)")
        }
    }

    @Test func percentilesUseTheNearestRank() {
        let hundred = Percentiles((1...100).map { TraceNanos($0) })
        #expect(hundred.p50 == 50 && hundred.p90 == 90 && hundred.p99 == 99 && hundred.max == 100)
        // n = 3: p50 is rank ceil(1.5) = 2, p90 rank ceil(2.7) = 3.
        let three = Percentiles([30, 10, 20])
        #expect(three.p50 == 20 && three.p90 == 30 && three.p99 == 30 && three.max == 30)
        #expect(Percentiles([]) == Percentiles([0]))
    }

    @Test func namesDifferingInATrailingNumberFormOneGroup() {
        let timeline = Self.trace().timeline
        let groups = timeline.nameStatistics()
        #expect(groups.map(\.name) == ["beta-#", "alpha"])
        let beta = groups[0]
        // Lifetimes 450 and 20: p50 = rank 1 = 20, p90 = rank 2 = 450. Queue latency 20 and 0.
        #expect(beta.count == 2 && beta.lifetime.p50 == Self.t(20) && beta.lifetime.p90 == Self.t(450))
        #expect(beta.queueLatency.max == Self.t(20) && beta.busy.max == Self.t(10))
    }

    @Test func threadUtilisationCountsUntrackedJobs() {
        let threads = Self.trace().timeline.threadStatistics()
        #expect(threads.count == 1)
        let worker = threads[0]
        // Jobs: A 10–30, A 120–200, B 80–90 = 110 ticks; untracked 300–350 = 50; span 500 → 160/500 = 32.0 %.
        #expect(worker.jobs == 3 && worker.busy == Self.t(110))
        #expect(worker.untrackedJobs == 1 && worker.untrackedBusy == Self.t(50))
        #expect(worker.utilisationPerMille == 320)
    }
}
