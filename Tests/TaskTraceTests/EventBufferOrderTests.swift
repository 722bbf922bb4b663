import Dispatch
import Glibc
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The deriver relies on every drain being in time order and on no later drain holding an earlier stamp. Any
/// buffer that reads the clock outside its lock (per-thread buffers, or a shorter critical section) must keep
/// that; a clock that stalls the reading thread after it has read the time (as a preemption between the read and
/// the append would) makes such a buffer's stamps arrive out of order. Planted once: stamping with the time read
/// outside the lock gave 483 backward steps; raising stamps to the last one but forgetting it at each drain, 130.
@Suite("Event buffer order")
struct EventBufferOrderTests {
    /// Monotonic ticks; every third reader is held 200 µs after taking its tick.
    static func stallingClock() -> TraceClock {
        let ticks = Atomic<UInt64>(0)
        return TraceClock(name: "stalling test clock") {
            let tick = ticks.add(1, ordering: .sequentiallyConsistent).newValue
            if tick % 3 == 0 { usleep(200) }
            return tick * 1_000
        }
    }

    @Test("stamps never go backwards within a drain or across drains, with threads stalled after the clock read")
    func stampsAreMonotonicAcrossDrains() async throws {
        let buffer = EventBuffer(capacity: 1 << 16, payloadCapacity: 16, clock: Self.stallingClock()) {}
        let threads = 3
        let perThread = 600
        let drained = try await Self.appendAndDrain(buffer, threads: threads, perThread: perThread, name: "tt-order") {
            thread, _ in RawEvent(kind: .jobStart, task: TraceTaskID(thread + 1), thread: UInt32(thread + 1))
        }
        #expect(drained.count == threads * perThread)
        let backwards = zip(drained, drained.dropFirst()).filter { $0.timestamp > $1.timestamp }.count
        #expect(backwards == 0, "\(backwards) events stamped earlier than the event before them")
    }

    /// Threads appending at once, with the writer draining meanwhile. (Written for the single buffer's spin lock,
    /// where a planted waiter that went in without the lock crashed the test process in both of two runs; it now
    /// covers the per-thread logs and their merge.)
    @Test("threads appending at once: every event lands exactly once, each thread's in its own order",
          arguments: [1, 4])
    func everyEventLandsOnce(threads: Int) async throws {
        let buffer = EventBuffer(capacity: 1 << 18, payloadCapacity: 16, clock: .monotonic) {}
        let perThread = 40_000
        let drained = try await Self.appendAndDrain(buffer, threads: threads, perThread: perThread, name: "tt-lock") {
            thread, sequence in
            RawEvent(kind: .jobStart, task: TraceTaskID(thread + 1), thread: 1, aux: UInt64(sequence))
        }
        #expect(buffer.dropped == 0)
        var next = [UInt64](repeating: 0, count: threads)
        var wrong = 0
        for event in drained {
            let thread = Int(event.task) - 1
            guard next.indices.contains(thread), event.aux == next[thread] else {
                wrong += 1
                continue
            }
            next[thread] += 1
        }
        #expect(wrong == 0, "\(wrong) events missing, repeated or out of their thread's order")
        #expect(next == [UInt64](repeating: UInt64(perThread), count: threads))
    }

    /// Starts `threads` threads that each append `perThread` events (`event(thread, sequence)`), drains the buffer
    /// meanwhile every 200 µs, and returns every event drained, the last drain closing the buffer.
    static func appendAndDrain(
        _ buffer: EventBuffer, threads: Int, perThread: Int, name: String,
        event: @escaping @Sendable (Int, Int) -> RawEvent
    ) async throws -> [RawEvent] {
        let finished = Atomic<Int>(0)
        for index in 0..<threads {
            let started = NamedThread.start(osName: "\(name)-\(index)") {
                for sequence in 0..<perThread { buffer.append(event(index, sequence)) }
                finished.add(1, ordering: .sequentiallyConsistent)
            }
            #expect(started)
        }
        var drained: [RawEvent] = []
        var events: [RawEvent] = []
        var payloads: [EventPayload] = []
        var lost: [TraceTaskID] = []
        events.reserveCapacity(buffer.capacity)
        while true {
            let done = finished.load(ordering: .sequentiallyConsistent) == threads
            _ = buffer.drain(into: &events, payloads: &payloads, lostTasks: &lost, close: done)
            drained += events
            if done { break }
            try await Task.sleep(for: .microseconds(200))
        }
        return drained
    }
}
