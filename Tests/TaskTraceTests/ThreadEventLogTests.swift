import Dispatch
import Glibc
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The per-thread event logs and their merge (`EventBuffer`, `ThreadEventLog`, `EventMerge`): what the deriver is
/// promised — every event exactly once, in nondecreasing timestamp order, each thread's in its own order, a task's
/// enqueue before its job's start — with threads appending and the writer draining at the same time; and the
/// buffer's accounting (drops, lost task ids, waits for room, exited threads, late events).
///
/// Defects planted once each (see docs/performance.md, "Per-thread buffers"): the drainer ignoring the threads
/// inside an append (no watermark); a cutoff that hands out events stamped at the cutoff (`<=`); a merge that
/// breaks equal stamps by thread only (no tie-break).
@Suite("Per-thread event logs")
struct ThreadEventLogTests {
    // MARK: - Clocks

    /// Shared ticks, `ticksPerStamp` of them per stamp (so threads often read the same stamp); every `every`-th
    /// reader is held `stallMicros` after taking its tick, as a preemption between the clock read and the
    /// publication would.
    static func coarseStallingClock(every: UInt64, stallMicros: UInt32, ticksPerStamp: UInt64) -> TraceClock {
        let ticks = Atomic<UInt64>(0)
        return TraceClock(name: "coarse stalling test clock") {
            let tick = ticks.add(1, ordering: .sequentiallyConsistent).newValue
            if tick % every == 0 { usleep(stallMicros) }
            return 1_000_000 + (tick / ticksPerStamp) * 1_000
        }
    }

    /// A clock set by hand; `armStall()` makes the next reader stop right after reading until `release()`.
    final class GatedClock: Sendable {
        let time = Atomic<UInt64>(0)
        private let armed = Atomic<Bool>(false)
        let stalled = Atomic<Bool>(false)
        private let open = Atomic<Bool>(false)

        var clock: TraceClock {
            TraceClock(name: "gated test clock") { [self] in
                let now = time.load(ordering: .sequentiallyConsistent)
                if armed.exchange(false, ordering: .sequentiallyConsistent) {
                    stalled.store(true, ordering: .sequentiallyConsistent)
                    while !open.load(ordering: .sequentiallyConsistent) { usleep(100) }
                }
                return now
            }
        }

        func armStall() { armed.store(true, ordering: .sequentiallyConsistent) }
        func release() { open.store(true, ordering: .sequentiallyConsistent) }
        func waitUntilStalled() {
            while !stalled.load(ordering: .sequentiallyConsistent) { usleep(100) }
        }
    }

    /// Runs `body` on a new thread and returns a semaphore signalled when it returns.
    static func onThread(_ name: String, _ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let started = NamedThread.start(osName: name) {
            body()
            done.signal()
        }
        #expect(started)
        return done
    }

    /// Drains once (not closing) and returns the events.
    static func drainOnce(_ buffer: EventBuffer, close: Bool = false) -> (events: [RawEvent], lost: [TraceTaskID]) {
        var events: [RawEvent] = []
        var payloads: [EventPayload] = []
        var lost: [TraceTaskID] = []
        _ = buffer.drain(into: &events, payloads: &payloads, lostTasks: &lost, close: close)
        return (events, lost)
    }

    /// Drains in parts of at most `limit` events until nothing more is ready (closing: until the buffer is closed,
    /// as the writer's last drain does). Records a problem for a part over the limit that is not all one stamp.
    static func drainInParts(_ buffer: EventBuffer, close: Bool, limit: Int) -> [RawEvent] {
        var drained: [RawEvent] = []
        forEachPart(buffer, close: close, limit: limit) { events, _, _ in
            if events.count > limit {
                #expect(Set(events.map(\.timestamp)).count == 1, "a part of \(events.count) events, limit \(limit)")
            }
            drained += events
        }
        return drained
    }

    /// Drains in parts of at most `limit` events until the drain says nothing more is ready, handing `body` each
    /// part's events and payloads, and whether more was ready after it.
    static func forEachPart(
        _ buffer: EventBuffer, close: Bool, limit: Int,
        _ body: (_ events: [RawEvent], _ payloads: [EventPayload], _ more: Bool) -> Void
    ) {
        var events: [RawEvent] = []
        var payloads: [EventPayload] = []
        var lost: [TraceTaskID] = []
        var more = true
        while more {
            more = buffer.drain(into: &events, payloads: &payloads, lostTasks: &lost, close: close, limit: limit).more
            body(events, payloads, more)
        }
    }

    /// A small buffer (gated clock) holding 40 job ends, `aux` 0…39, two to a stamp (1000, 1000, 1001, 1001, …).
    static func pairedStampBuffer() -> EventBuffer {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: gate.clock) {}
        for index in 0..<40 {
            gate.time.store(UInt64(1_000 + index / 2), ordering: .sequentiallyConsistent)
            buffer.append(RawEvent(kind: .jobEnd, task: 0, thread: 1, aux: UInt64(index)))
        }
        return buffer
    }

    // MARK: - Concurrent appends and drains

    /// Each thread appends `perThread` events of its own (a job end, stamped like any other, tagged with its
    /// thread and sequence number) and every fifth one is an enqueue of a fresh task id that it then hands to the
    /// next thread, which appends that task's job start as soon as it sees it: a cause on one thread, its effect
    /// on another, often at the same stamp with the coarse clock. The test drains every 100 µs meanwhile.
    static func appendWithHandoffs(
        _ buffer: EventBuffer, threads: Int, perThread: Int, drainLimit: Int = .max
    ) -> [RawEvent] {
        let inboxes = (0..<threads).map { _ in Inbox() }
        let outstanding = Atomic<Int>(0)
        let ownDone = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        for index in 0..<threads {
            let thread = UInt32(index + 1)
            let started = NamedThread.start(osName: "tt-logs-\(index)") {
                var sequence: UInt64 = 0
                var own = 0
                var reportedDone = false
                while true {
                    if own < perThread {
                        if own % 5 == 0 {
                            let task = TraceTaskID(thread) << 32 | TraceTaskID(own + 1)
                            buffer.append(RawEvent(kind: .enqueue, task: task, thread: thread, aux: sequence))
                            outstanding.add(1, ordering: .sequentiallyConsistent)
                            inboxes[(index + 1) % threads].tasks.withLock { $0.append(task) }
                        } else {
                            buffer.append(RawEvent(kind: .jobEnd, task: 0, thread: thread, aux: sequence))
                        }
                        sequence += 1
                        own += 1
                    }
                    let received = inboxes[index].tasks.withLock { inbox -> [TraceTaskID] in
                        defer { inbox.removeAll() }
                        return inbox
                    }
                    for task in received {
                        buffer.append(RawEvent(kind: .jobStart, task: task, thread: thread, aux: sequence))
                        sequence += 1
                        outstanding.add(-1, ordering: .sequentiallyConsistent)
                    }
                    if own == perThread {
                        if !reportedDone {
                            reportedDone = true
                            ownDone.add(1, ordering: .sequentiallyConsistent)
                        }
                        if ownDone.load(ordering: .sequentiallyConsistent) == threads,
                            outstanding.load(ordering: .sequentiallyConsistent) == 0
                        {
                            break
                        }
                        if received.isEmpty { sched_yield() }
                    }
                }
                finished.add(1, ordering: .sequentiallyConsistent)
            }
            #expect(started)
        }
        var drained: [RawEvent] = []
        while true {
            let done = finished.load(ordering: .sequentiallyConsistent) == threads
            drained += drainInParts(buffer, close: done, limit: drainLimit)
            if done { break }
            usleep(100)
        }
        return drained
    }

    /// Task ids handed to one thread. Thread-safe (a mutex).
    final class Inbox: Sendable {
        let tasks = Mutex<[TraceTaskID]>([])
    }

    /// Checks the deriver's promises on `drained`; returns a description of each kind of violation found.
    static func violations(in drained: [RawEvent], threads: Int) -> [String] {
        var problems: [String] = []
        let backwards = zip(drained, drained.dropFirst()).filter { $0.timestamp > $1.timestamp }.count
        if backwards > 0 { problems.append("\(backwards) events stamped earlier than the event before them") }
        var next = [UInt64](repeating: 0, count: threads + 1)
        var outOfOrder = 0
        var enqueued: Set<TraceTaskID> = []
        var started = 0
        var startedBeforeEnqueue = 0
        for event in drained {
            let thread = Int(event.thread)
            guard next.indices.contains(thread), thread > 0, event.aux == next[thread] else {
                outOfOrder += 1
                continue
            }
            next[thread] += 1
            switch event.kind {
            case .enqueue: enqueued.insert(event.task)
            case .jobStart:
                started += 1
                if !enqueued.contains(event.task) { startedBeforeEnqueue += 1 }
            default: break
            }
        }
        if outOfOrder > 0 { problems.append("\(outOfOrder) events missing, repeated or out of their thread's order") }
        if startedBeforeEnqueue > 0 { problems.append("\(startedBeforeEnqueue) job starts before their enqueue") }
        if started != enqueued.count { problems.append("\(enqueued.count) enqueues but \(started) starts") }
        return problems
    }

    @Test(
        "threads appending while draining, stalled after their clock reads: every event once, in order, causes first",
        arguments: [2, 4, 8]
    )
    func concurrentAppendsWithStalls(threads: Int) {
        let buffer = EventBuffer(
            capacity: 1 << 16, payloadCapacity: 16,
            clock: Self.coarseStallingClock(every: 7, stallMicros: 50, ticksPerStamp: 4)
        ) {}
        Self.expectHandoffsExactlyOnceInOrder(buffer, threads: threads, perThread: 2_000)
    }

    @Test(
        "the same with the recording's default clock (the TSC where it is invariant), at full speed",
        arguments: [2, 4, 8]
    )
    func concurrentAppendsDefaultClock(threads: Int) {
        let buffer = EventBuffer(capacity: 1 << 17, payloadCapacity: 16, clock: .fastest) {}
        Self.expectHandoffsExactlyOnceInOrder(buffer, threads: threads, perThread: 20_000)
    }

    /// `appendWithHandoffs` on `buffer`, then: nothing dropped, every event (and the one hand-off per five events)
    /// drained exactly once, in stamp order, causes first.
    static func expectHandoffsExactlyOnceInOrder(
        _ buffer: EventBuffer, threads: Int, perThread: Int, drainLimit: Int = .max
    ) {
        let drained = appendWithHandoffs(buffer, threads: threads, perThread: perThread, drainLimit: drainLimit)
        #expect(buffer.dropped == 0)
        #expect(drained.count == threads * perThread + threads * perThread / 5)
        let problems = violations(in: drained, threads: threads)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(
        "drains in parts of a few dozen events (the writer behind a busy program), the last too: all once, in order",
        arguments: [1, 2, 4])
    func drainsInLimitedParts(threads: Int) {
        // Smaller than the unlimited tests above (their 8 spinning threads already load the machine once; this one
        // runs beside the timed demo recordings in the parallel test run): still dozens of parts per run.
        let coarse = EventBuffer(
            capacity: 1 << 16, payloadCapacity: 16,
            clock: Self.coarseStallingClock(every: 7, stallMicros: 50, ticksPerStamp: 4)
        ) {}
        Self.expectHandoffsExactlyOnceInOrder(coarse, threads: threads, perThread: 2_000, drainLimit: 37)
        #expect(coarse.lateEvents == 0)
        let fast = EventBuffer(capacity: 1 << 17, payloadCapacity: 16, clock: .fastest) {}
        Self.expectHandoffsExactlyOnceInOrder(fast, threads: threads, perThread: 5_000, drainLimit: 300)
        // Closed only by the last part: an append now is late and goes nowhere.
        fast.append(RawEvent(kind: .jobEnd, task: 0, thread: 1))
        #expect(fast.lateEvents == 1)
        #expect(Self.drainOnce(fast).events.isEmpty)
    }

    @Test("a closing drain in parts leaves the buffer open to drain until its last part, then closed")
    func closingDrainInPartsTakesEverythingOnce() {
        let buffer = Self.pairedStampBuffer()
        var parts: [[UInt64]] = []
        Self.forEachPart(buffer, close: true, limit: 7) { events, _, _ in parts.append(events.map(\.aux)) }
        #expect(parts.joined().map { $0 } == (0..<40).map(UInt64.init))
        // Seven events at most, and a stamp's pair never split: six per part, four in the last.
        #expect(parts.map(\.count) == [6, 6, 6, 6, 6, 6, 4])
        buffer.append(RawEvent(kind: .jobEnd, task: 0, thread: 1, aux: 99))
        #expect(buffer.lateEvents == 1)
    }

    @Test("a closing drain in parts: the ring stays until the last part, the watermark follows each part's cutoff")
    func closingPartsKeepTheRingAndMoveTheWatermark() {
        let buffer = Self.pairedStampBuffer()
        var part = 0
        Self.forEachPart(buffer, close: true, limit: 7) { _, _, more in
            if more {
                // The next part starts at the stamp this one stopped below: later stamps convert from there.
                #expect(buffer.watermark == UInt64(1_003 + 3 * part), "part \(part)")
                #expect(buffer.freedLogCount == 0, "part \(part) freed the ring before the last part")
            }
            part += 1
        }
        #expect(buffer.freedLogCount == 1)
    }

    @Test("more than the limit at one stamp: all of it in one part, and no further part claimed")
    func oneStampOverTheLimit() {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: gate.clock) {}
        gate.time.store(1_000, ordering: .sequentiallyConsistent)
        for index in 0..<10 { buffer.append(RawEvent(kind: .jobEnd, task: 0, thread: 1, aux: UInt64(index))) }
        gate.time.store(2_000, ordering: .sequentiallyConsistent)
        var events: [RawEvent] = []
        var payloads: [EventPayload] = []
        var lost: [TraceTaskID] = []
        let counts = buffer.drain(into: &events, payloads: &payloads, lostTasks: &lost, limit: 3)
        #expect(events.map(\.aux) == (0..<10).map(UInt64.init))
        #expect(!counts.more)
    }

    @Test("API events and their payloads across the parts of a closing drain: each payload with its event")
    func payloadsAcrossClosingParts() {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 64, clock: gate.clock) {}
        for index in 0..<20 {
            gate.time.store(UInt64(1_000 + index), ordering: .sequentiallyConsistent)
            buffer.append(.mark(taskID: nil, kind: "m", detail: "\(index)"), thread: 1, waitForRoom: false)
        }
        var details: [String] = []
        Self.forEachPart(buffer, close: true, limit: 3) { events, payloads, _ in
            #expect(payloads.count == events.filter { $0.kind == .payload }.count)
            for case .mark(_, _, let detail?) in payloads { details.append(detail) }
        }
        #expect(details == (0..<20).map { "\($0)" })
    }

    // MARK: - The watermark, exactly

    @Test("a thread that read the clock and has not published holds back every later stamp until it publishes")
    func stalledAppendHoldsTheCutoff() {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: gate.clock) {}
        gate.time.store(1_000, ordering: .sequentiallyConsistent)
        gate.armStall()
        let stalled = Self.onThread("tt-stall") {
            buffer.append(RawEvent(kind: .enqueue, task: 7, thread: 1))
        }
        gate.waitUntilStalled()
        gate.time.store(2_000, ordering: .sequentiallyConsistent)
        let other = Self.onThread("tt-other") { buffer.append(RawEvent(kind: .jobStart, task: 7, thread: 2)) }
        other.wait()
        gate.time.store(3_000, ordering: .sequentiallyConsistent)
        #expect(Self.drainOnce(buffer).events.isEmpty, "the event at 2000 must wait for the one read at 1000")
        gate.release()
        stalled.wait()
        let rest = Self.drainOnce(buffer, close: true).events
        #expect(rest.map(\.kind) == [.enqueue, .jobStart])
        #expect(rest.map(\.timestamp) == [1_000, 2_000])
    }

    @Test("events stamped exactly at the cutoff wait: a stalled thread may still publish one with that stamp")
    func eventsAtTheCutoffWait() {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: gate.clock) {}
        gate.time.store(1_000, ordering: .sequentiallyConsistent)
        let first = Self.onThread("tt-first") {
            // A job of task 5 ends, then (same stamp, stalled after reading it) task 9 is enqueued.
            buffer.append(RawEvent(kind: .jobEnd, task: 5, thread: 1))
            gate.armStall()
            buffer.append(RawEvent(kind: .enqueue, task: 9, thread: 1))
        }
        gate.waitUntilStalled()
        let second = Self.onThread("tt-second") { buffer.append(RawEvent(kind: .jobStart, task: 9, thread: 2)) }
        second.wait()
        gate.time.store(3_000, ordering: .sequentiallyConsistent)
        let early = Self.drainOnce(buffer).events
        #expect(early.isEmpty, "nothing stamped 1000 may go out while a 1000 is in flight: \(early.map(\.kind))")
        gate.release()
        first.wait()
        let rest = Self.drainOnce(buffer, close: true).events
        let all = early + rest
        #expect(all.map(\.kind) == [.jobEnd, .enqueue, .jobStart], "task 9's start must follow its enqueue")
    }

    @Test("the last drain waits for an append in flight, which lands in the trace rather than after it")
    func closeWaitsForAppendsInFlight() {
        let gate = GatedClock()
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: gate.clock) {}
        gate.time.store(1_000, ordering: .sequentiallyConsistent)
        gate.armStall()
        let stalled = Self.onThread("tt-inflight") { buffer.append(RawEvent(kind: .jobStart, task: 3, thread: 1)) }
        gate.waitUntilStalled()
        let opener = Self.onThread("tt-opener") {
            usleep(20_000)
            gate.release()
        }
        let last = Self.drainOnce(buffer, close: true).events
        stalled.wait()
        opener.wait()
        #expect(last.map(\.task) == [3])
        #expect(buffer.lateEvents == 0)
    }

    // MARK: - The merge's tie-break

    @Test("equal stamps: a task's enqueue comes before its job's start or end on another thread, whatever the runs")
    func equalStampsKeepCauseBeforeEffect() {
        // Run 0 (thread B) starts task 9 at 1000; run 1 (thread A) ended task 5's job, then enqueued 9, at 1000.
        let scratch = [
            RawEvent(kind: .jobStart, task: 9, thread: 2, timestamp: 1_000),
            RawEvent(kind: .jobEnd, task: 9, thread: 2, timestamp: 1_000),
            RawEvent(kind: .jobEnd, task: 5, thread: 1, timestamp: 1_000),
            RawEvent(kind: .enqueue, task: 9, thread: 1, timestamp: 1_000),
            RawEvent(kind: .payload, task: 0, thread: 3, timestamp: 1_000),
        ]
        var merged: [RawEvent] = []
        EventMerge.merge(scratch, runs: [0..<2, 2..<4, 4..<5], into: &merged)
        #expect(merged.map(\.kind) == [.payload, .jobEnd, .enqueue, .jobStart, .jobEnd])
        #expect(merged.map(\.task) == [0, 5, 9, 9, 9])
        // Distinct stamps: plain time order, each run's order kept.
        let timed = [
            RawEvent(kind: .jobEnd, task: 1, thread: 1, timestamp: 10),
            RawEvent(kind: .jobEnd, task: 1, thread: 1, timestamp: 30),
            RawEvent(kind: .enqueue, task: 2, thread: 2, timestamp: 20),
            RawEvent(kind: .enqueue, task: 2, thread: 2, timestamp: 40),
        ]
        var ordered: [RawEvent] = []
        EventMerge.merge(timed, runs: [0..<2, 2..<4], into: &ordered)
        #expect(ordered.map(\.timestamp) == [10, 20, 30, 40])
    }

    @Test(
        "merging random runs: every event once, each run's order kept, stamps in order; without ties, a stable sort",
        arguments: [1, 2, 3, 5])
    func randomRunsMergeLikeASort(runCount: Int) {
        var random = SystemRandomNumberGenerator()
        let kinds: [RawEventKind] = [.enqueue, .jobStart, .jobEnd, .direct, .payload]
        for shape in 0..<200 {
            // Even shapes: every stamp distinct across runs (odd stamps for run 0, …); odd shapes: few stamps, many
            // ties. Runs interleave finely (two workers' events alternate every event or two) or in long stretches.
            let distinct = shape % 2 == 0
            var scratch: [RawEvent] = []
            var runs: [Range<Int>] = []
            var runOf: [Int] = []
            for run in 0..<runCount {
                let start = scratch.count
                var stamp: UInt64 = 0
                for _ in 0..<Int.random(in: 0...300, using: &random) {
                    stamp += distinct ? UInt64(runCount) * UInt64.random(in: 0...3, using: &random) : .random(in: 0...1, using: &random)
                    let event = RawEvent(
                        kind: kinds.randomElement(using: &random)!, task: .random(in: 1...4, using: &random),
                        thread: TraceThreadID(run + 1), token: UInt64(scratch.count),
                        timestamp: distinct ? stamp + UInt64(run) : stamp)
                    scratch.append(event)
                    runOf.append(run)
                }
                if !distinct {
                    // Within a stamp, a run's enqueues precede its job starts and ends (as a thread's are when it
                    // ends a job and enqueues the next): the merge can then always put each enqueue first.
                    let order: [RawEventKind] = [.payload, .enqueue, .direct, .jobStart, .jobEnd]
                    let rank = { (event: RawEvent) in order.firstIndex(of: event.kind)! }
                    scratch[start...].sort { ($0.timestamp, rank($0), $0.token) < ($1.timestamp, rank($1), $1.token) }
                    for index in start..<scratch.count { scratch[index].token = UInt64(index) }
                }
                runs.append(start..<scratch.count)
            }
            var merged = [RawEvent(kind: .payload, task: 77, thread: 9)]  // An event already there stays first.
            EventMerge.merge(scratch, runs: runs.shuffled(using: &random), into: &merged)
            #expect(merged.first?.task == 77)
            let body = Array(merged.dropFirst())
            #expect(body.map(\.token).sorted() == scratch.indices.map(UInt64.init))
            #expect(zip(body, body.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
            for run in 0..<runCount {
                let order = body.filter { runOf[Int($0.token)] == run }.map(\.token)
                #expect(order == order.sorted(), "run \(run)'s own order changed")
            }
            // Cause before effect: no job start or end of a task ahead of that task's enqueue at the same stamp.
            for (index, event) in body.enumerated() where event.kind == .enqueue {
                let early = body[..<index].last { other in
                    other.timestamp == event.timestamp && other.task == event.task
                        && (other.kind == .jobStart || other.kind == .jobEnd)
                        && runOf[Int(other.token)] != runOf[Int(event.token)]
                }
                #expect(early == nil, "a job of task \(event.task) came before its enqueue at \(event.timestamp)")
            }
            if distinct {
                let reference = scratch.sorted { ($0.timestamp, $0.token) < ($1.timestamp, $1.token) }
                #expect(body.map(\.token) == reference.map(\.token))
            }
        }
    }

    // MARK: - The TSC clock's conversion

    @Test("TSC stamps become CLOCK_MONOTONIC nanoseconds: each event within 1 ms of the monotonic times read around it")
    func tscStampsTrackMonotonicTime() throws {
        guard let tsc = TraceClock.tsc else { return }  // No invariant TSC here: the recorder uses CLOCK_MONOTONIC.
        let buffer = EventBuffer(capacity: 1 << 12, payloadCapacity: 16, clock: tsc) {}
        var drained: [RawEvent] = []
        // CLOCK_MONOTONIC since the start, read just before the append stamps event `index + 1` (its `aux`) and
        // just after: the stamp must fall between the two, give or take 1 ms. A thread preempted between the reads
        // widens its window instead of failing the test; a skewed conversion still lands outside it.
        var after: [UInt64] = []
        for index in 0..<200 {
            let monotonic = TraceClock.monotonic.now() - buffer.start
            buffer.append(RawEvent(kind: .jobStart, task: TraceTaskID(index + 1), thread: 1, aux: monotonic))
            after.append(TraceClock.monotonic.now() - buffer.start)
            usleep(100)
            if index % 20 == 19 { drained += Self.drainOnce(buffer).events }
        }
        drained += Self.drainOnce(buffer, close: true).events
        #expect(drained.count == 200)
        let backwards = zip(drained, drained.dropFirst()).filter { $0.timestamp > $1.timestamp }.count
        #expect(backwards == 0)
        let tolerance: UInt64 = 1_000_000
        let outside = drained.filter { event in
            let before = event.aux, latest = after[Int(event.task) - 1]
            return event.timestamp + tolerance < before || event.timestamp > latest + tolerance
        }
        #expect(outside.isEmpty, "converted stamps more than 1 ms outside their CLOCK_MONOTONIC window: \(outside.prefix(3))")
        #expect(tsc.name != TraceClock.monotonic.name)
    }

    // MARK: - Accounting

    @Test("a full log drops and counts, keeps the lost task ids, and wakes the writer once at half full")
    func fullLogDropsAndCounts() {
        let wakes = Atomic<Int>(0)
        let buffer = EventBuffer(capacity: 16, payloadCapacity: 16, clock: .monotonic) {
            wakes.add(1, ordering: .relaxed)
        }
        Self.onThread("tt-full") {
            for task in 1...40 { buffer.append(RawEvent(kind: .jobStart, task: TraceTaskID(task), thread: 1)) }
        }.wait()
        #expect(buffer.dropped == 24)
        #expect(wakes.load(ordering: .relaxed) == 1)
        let (events, lost) = Self.drainOnce(buffer)
        #expect(events.map(\.task) == Array(1...16))
        #expect(lost == Array(17...40))
        // The room is back after the drain.
        Self.onThread("tt-full-2") { buffer.append(RawEvent(kind: .jobStart, task: 41, thread: 1)) }.wait()
        #expect(Self.drainOnce(buffer, close: true).events.map(\.task) == [41])
        #expect(buffer.dropped == 24)
    }

    @Test("a spawn's enqueue and an API event wait for room in a full log instead of being dropped")
    func waitingAppendsAreNotLost() {
        let buffer = EventBuffer(capacity: 16, payloadCapacity: 16, clock: .monotonic) {}
        let appended = Atomic<Bool>(false)
        let producer = Self.onThread("tt-wait") {
            for task in 1...16 { buffer.append(RawEvent(kind: .jobStart, task: TraceTaskID(task), thread: 1)) }
            buffer.appendWaitingForRoom(RawEvent(kind: .enqueue, task: 99, thread: 1, token: 5))
            buffer.append(.taskName(task: 99, name: "named"), thread: 1)
            appended.store(true, ordering: .sequentiallyConsistent)
        }
        usleep(30_000)
        let appendedEarly = appended.load(ordering: .sequentiallyConsistent)
        #expect(!appendedEarly, "the log is full: the enqueue must wait")
        var drained = Self.drainOnce(buffer).events
        producer.wait()
        var events: [RawEvent] = []
        var payloads: [EventPayload] = []
        var lost: [TraceTaskID] = []
        _ = buffer.drain(into: &events, payloads: &payloads, lostTasks: &lost, close: true)
        drained += events
        #expect(buffer.dropped == 0)
        #expect(drained.count == 18)
        #expect(drained.contains { $0.kind == .enqueue && $0.task == 99 && $0.token == 5 })
        let payload = drained.last
        #expect(payload?.kind == .payload && payload?.aux == 0)
        if case .taskName(task: 99, name: "named")? = payloads.first {} else { Issue.record("payload \(payloads)") }
    }

    @Test("a thread that exits keeps its events, and the next new thread reuses its log")
    func exitedThreadsKeepTheirEvents() {
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: .monotonic) {}
        Self.onThread("tt-exit-1") {
            for task in 1...10 { buffer.append(RawEvent(kind: .jobStart, task: TraceTaskID(task), thread: 1)) }
        }.wait()
        var waited = 0
        while buffer.threadLogCounts.vacant == 0, waited < 2_000 {
            usleep(1_000)
            waited += 1
        }
        #expect(buffer.threadLogCounts == (1, 1), "the exited thread's log is vacant")
        Self.onThread("tt-exit-2") {
            for task in 11...15 { buffer.append(RawEvent(kind: .jobStart, task: TraceTaskID(task), thread: 2)) }
        }.wait()
        #expect(buffer.threadLogCounts.total == 1, "the new thread took the vacant log")
        #expect(Self.drainOnce(buffer, close: true).events.map(\.task) == Array(1...15))
    }

    @Test("after the last drain, appends from known and new threads are counted late and go nowhere")
    func afterCloseEventsAreLate() {
        let buffer = EventBuffer(capacity: 64, payloadCapacity: 16, clock: .monotonic) {}
        let known = DispatchSemaphore(value: 0)
        let closed = DispatchSemaphore(value: 0)
        let thread = Self.onThread("tt-late-1") {
            buffer.append(RawEvent(kind: .jobStart, task: 1, thread: 1))
            known.signal()
            closed.wait()
            buffer.append(RawEvent(kind: .jobEnd, task: 1, thread: 1))
            buffer.appendWaitingForRoom(RawEvent(kind: .enqueue, task: 2, thread: 1, token: 3))
        }
        known.wait()
        #expect(Self.drainOnce(buffer, close: true).events.map(\.task) == [1])
        closed.signal()
        thread.wait()
        Self.onThread("tt-late-2") { buffer.append(RawEvent(kind: .jobStart, task: 4, thread: 2)) }.wait()
        buffer.append(.taskName(task: 4, name: "late"), thread: 2)
        #expect(buffer.lateEvents == 4)
        #expect(buffer.dropped == 0)
        #expect(Self.drainOnce(buffer, close: true).events.isEmpty)
    }
}
