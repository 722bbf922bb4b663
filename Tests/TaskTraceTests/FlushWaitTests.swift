import Testing
@testable import TaskTrace

/// The writer's sleep between flushes: short while the program records a trickle (short bursts of writer work
/// slow a waiting program less), the configured interval when it is idle or busy.
@Suite("Writer flush interval")
struct FlushWaitTests {
    let interval: UInt64 = 10_000_000

    @Test("an idle program: the configured interval (no waking for nothing)")
    func idle() {
        #expect(TraceRecorder.flushWait(afterDraining: 0, interval: interval) == interval)
    }

    @Test("a trickle of events: every 2 ms, up to the busy threshold")
    func trickle() {
        for events in [1, 400, TraceRecorder.lightLoadEvents - 1] {
            #expect(TraceRecorder.flushWait(afterDraining: events, interval: interval) == 2_000_000, "\(events)")
        }
    }

    @Test("a busy program or a backlog: the configured interval")
    func busy() {
        for events in [TraceRecorder.lightLoadEvents, 30_000, TraceRecorder.eventsPerWrite * 3] {
            #expect(TraceRecorder.flushWait(afterDraining: events, interval: interval) == interval, "\(events)")
        }
    }

    @Test("a configured interval below 2 ms is never lengthened")
    func shortInterval() {
        #expect(TraceRecorder.flushWait(afterDraining: 100, interval: 1_000_000) == 1_000_000)
        #expect(TraceRecorder.flushWait(afterDraining: 0, interval: 1_000_000) == 1_000_000)
    }
}
