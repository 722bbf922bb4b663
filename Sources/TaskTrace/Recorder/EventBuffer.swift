internal import CTaskTraceHooks
import Synchronization
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bounded buffer between the hot path and the writer thread: one ring per producing thread, merged by the
/// writer in timestamp order.
///
/// **Appending.** Each thread that appends gets a `ThreadEventLog` of `capacity` events of its own, lazily, through
/// a thread-local slot (`ThreadEventLogSlot`): workers, the blocking pool, the program's own threads calling
/// `enqueue`, the process-capture hooks alike. An append is a store of an "appending" flag on the thread's own
/// cache line (plain, or sequentially consistent where the asymmetric fence is unavailable: `AsymmetricFence`),
/// the clock read (`TraceClock.stamp`, outside any shared lock), a 40-byte store and a release store: no shared
/// lock, no read-modify-write on a line another producer writes. A log that is full drops the event and
/// counts it (the task id kept, `lostCapacity` per log per drain). A log passing half full wakes the writer early.
/// A thread that exits leaves its log vacant: its events are still drained, and the next new thread reuses it.
///
/// **API events** with strings (spawns, outcomes, marks) go to a payload table bounded by `payloadCapacity`, their
/// `.payload` event into the thread's log; they and a spawn's first enqueue (`appendWaitingForRoom`) are not the
/// hot path, so when there is no room they wake the writer and wait (backpressure, up to ~1 s) instead of being
/// dropped: a task's name and outcome are worth a pause.
///
/// **Draining and the watermark.** `TraceDeriver` requires events in timestamp order, and no later drain may
/// hold an event stamped before one already handed out. A thread's log is in its own time order; the drainer
/// merges the logs (`EventMerge`, with a tie-break that keeps causes before effects) up to a cutoff, and leaves
/// later events in the logs for the next drain. The cutoff must exceed no stamp that is still to be published.
/// The drainer reads the clock, `D`, then (after a fence that keeps the later loads from running before the clock
/// read, and the drainer's half of `AsymmetricFence`) takes the list of logs and loads each log's `appending` flag,
/// then its `published` count:
///
/// - Flag clear: every append of that log that had set the flag before this load has published (the clear comes
///   after the publication, and the load acquires it). Any later append is ordered after this load — by the
///   single total order of sequentially consistent operations, or by the drainer's `membarrier` (see
///   `AsymmetricFence`) — so it reads the clock after the drainer did: its stamp is ≥ `D`. A log made after the
///   list was taken belongs to a thread that registered after the drainer's clock read: its stamps are ≥ `D`.
/// - Flag set: the append in progress may have read the clock and not published. Its stamp is ≥ the last stamp
///   this log published (a thread's clock does not go backwards), and ≥ the previous cutoff `W` (the same
///   argument one drain earlier). The cutoff becomes at most `max(last published stamp, W)`.
///
/// So with `cutoff = min(D, bounds of the busy logs)`, every event stamped below the cutoff is already visible,
/// and events strictly below it are handed out (an event stamped exactly at the cutoff may have a twin still in
/// flight: it waits). By induction every event left behind is stamped ≥ the cutoff, which becomes `W`. A thread
/// preempted inside an append holds the cutoff back until it runs again; its own log and the others keep filling
/// meanwhile (the half-full wake then makes the writer retry). The last drain (`close`) sets `closed`, waits until
/// no log is inside an append (an append that began before saw the buffer open and publishes; one that begins
/// after sees it closed and is counted late), and takes everything.
///
/// **Time.** Stamps are raw clock values (TSC ticks for `TraceClock.tsc`); the drainer converts them to trace
/// nanoseconds (`StampConverter`) after merging, with a piecewise-linear map anchored at each cutoff, so trace
/// time never goes backwards across drains even though the tick rate's estimate moves, and no stamp is raised
/// after the fact (a raise would hide an ordering bug from the tests).
///
/// Memory bound: `capacity × 40 bytes` per thread that has appended during the recording and not exited (logs of
/// exited threads are reused), reserved up front and backed by the OS as a ring first fills, freed at the last
/// drain; plus at most `payloadCapacity` payloads, and `lostCapacity` task ids per log.
/// Thread-safe: every method may be called from any thread; `drain` from one thread at a time (it serialises).
final class EventBuffer: Sendable {
    /// Events each thread's log holds (a power of two).
    let capacity: Int
    let payloadCapacity: Int
    /// Task ids of dropped events remembered per log and drain.
    static let lostCapacity = 4096
    let clock: TraceClock
    /// `clock.now()` when the buffer was made: trace time 0.
    let start: UInt64
    /// Process-unique identity, the key of each thread's log for this buffer (never 0).
    private let id: UInt64
    private static let nextID = Atomic<UInt64>(1)

    /// Set (sequentially consistent) by the last drain; read inside every append (see the type's comment).
    private let closed = Atomic<Bool>(false)
    /// Appends announce themselves with a plain store and the drainer fences for both (`AsymmetricFence`).
    private let lightAnnounce = AsymmetricFence.light
    /// Every log ever made for this buffer, in creation order (the merge's run order).
    private let logs = Mutex<[ThreadEventLog]>([])
    /// API events' payloads by the sequence number their `.payload` event carries in `aux`.
    private let payloadTable = Mutex<[UInt64: EventPayload]>([:])
    private let nextPayload = Atomic<UInt64>(0)
    /// API events given up on (no room within the wait), and events that came when no log could be made (closed).
    private let payloadDrops = Atomic<UInt64>(0)
    private let lateWithoutLog = Atomic<UInt64>(0)
    /// The last trace nanosecond handed out by a drain (`now()` never returns less).
    private let lastHandedOut = Atomic<UInt64>(0)

    /// The drainer's state: the watermark, the stamp converter, scratch space. Held for the whole of a drain.
    private struct DrainState {
        var watermark: UInt64 = 0
        var converter: StampConverter
        var lastNanos: UInt64 = 0
        var scratch: [RawEvent] = []
        var runs: [Range<Int>] = []
    }
    private let drainState: Mutex<DrainState>

    /// Signalled after every drain, for API events waiting for room.
    private let space = ConditionLock()
    /// How long an API event waits for room before it is dropped (and counted) after all: 100 × 10 ms.
    private static let payloadWaitRounds = 100
    private static let payloadWaitNanos: UInt64 = 10_000_000
    /// Called (on the appending thread, no lock held) when a log passes half full, to wake the writer early.
    private let onHalfFull: @Sendable () -> Void

    /// - Parameters:
    ///   - capacity: events per thread's log (at least 16, rounded up to a power of two).
    ///   - payloadCapacity: API events with payloads held at once.
    init(capacity: Int, payloadCapacity: Int, clock: TraceClock, onHalfFull: @escaping @Sendable () -> Void) {
        self.capacity = ThreadEventLog.roundedCapacity(capacity)
        self.payloadCapacity = max(payloadCapacity, 16)
        self.clock = clock
        self.onHalfFull = onHalfFull
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let converter = StampConverter(clock: clock)
        start = converter.startNanos
        drainState = Mutex(DrainState(converter: converter))
    }

    /// Nanoseconds since the recording started (never less than a timestamp a drain has handed out).
    func now() -> TraceNanos {
        let value = clock.now()
        return max(value >= start ? value - start : 0, lastHandedOut.load(ordering: .relaxed))
    }

    // MARK: - Producers

    /// The calling thread's log, made (or a vacant one claimed) on its first append. Nil once the buffer is closed.
    @inline(__always)
    private func withCurrentLog<R>(_ body: (ThreadEventLog) -> R) -> R? {
        if let cached = ThreadEventLogSlot.cachedLog(for: id) { return cached._withUnsafeGuaranteedRef(body) }
        guard let log = registerCurrentThread() else { return nil }
        return body(log)
    }

    @inline(never)
    private func registerCurrentThread() -> ThreadEventLog? {
        if closed.load(ordering: .sequentiallyConsistent) { return nil }
        return ThreadEventLogSlot.current.log(for: id, finished: { $0.retired.load(ordering: .acquiring) }) {
            logs.withLock { logs in
                if let vacant = logs.first(where: { $0.claim() }) { return vacant }
                let log = ThreadEventLog(capacity: capacity)
                logs.append(log)
                return log
            }
        }
    }

    /// Appends a raw event stamped with the current time. Hot path: never allocates (after the thread's first
    /// append), never blocks; a full log drops and counts the event.
    @inline(__always)
    func append(_ event: RawEvent) {
        let outcome = withCurrentLog { log -> ThreadEventLog.AppendOutcome in
            let outcome = log.tryAppend(event, clock: clock, closed: closed, light: lightAnnounce)
            if case .full = outcome { log.countDrop(of: event, limit: Self.lostCapacity) }
            return outcome
        }
        switch outcome {
        case .appended(wake: true)?: onHalfFull()
        case nil: lateWithoutLog.add(1, ordering: .relaxed)
        default: break
        }
    }

    /// Appends a raw event that must not be lost (a spawn's first enqueue): waits for room like an API event.
    func appendWaitingForRoom(_ event: RawEvent) {
        waitForRoom(rounds: Self.payloadWaitRounds) { log in
            log.tryAppend(event, clock: clock, closed: closed, light: lightAnnounce)
        } onGiveUp: { log in
            log?.countDrop(of: event, limit: Self.lostCapacity)
        }
    }

    /// Appends an API event with its payload (may allocate; not the hot path). When there is no room it wakes the
    /// writer and waits for room (backpressure), dropping the event only if no room comes within ~1 s.
    func append(_ payload: EventPayload, thread: TraceThreadID = 0, waitForRoom wait: Bool = true) {
        let sequence = nextPayload.wrappingAdd(1, ordering: .relaxed).oldValue
        let event = RawEvent(kind: .payload, task: 0, thread: thread, aux: sequence)
        waitForRoom(rounds: wait ? Self.payloadWaitRounds : 0) { log in
            let stored = payloadTable.withLock { table -> Bool in
                guard table.count < payloadCapacity else { return false }
                table[sequence] = payload
                return true
            }
            guard stored else { return .full }
            let outcome = log.tryAppend(event, clock: clock, closed: closed, light: lightAnnounce)
            if case .appended = outcome { return outcome }
            _ = payloadTable.withLock { $0.removeValue(forKey: sequence) }
            return outcome
        } onGiveUp: { _ in
            payloadDrops.add(1, ordering: .relaxed)
        }
    }

    /// Runs `add` on the calling thread's log until it finds room, waking the writer and waiting up to
    /// `rounds` × 10 ms for it; `onGiveUp` counts the event when no room came. After the last drain the event is
    /// counted late (by the log, or here when the thread has no log).
    private func waitForRoom(
        rounds lastRound: Int, add: (ThreadEventLog) -> ThreadEventLog.AppendOutcome,
        onGiveUp: (ThreadEventLog?) -> Void
    ) {
        for round in 0...lastRound {
            let outcome = withCurrentLog { log -> ThreadEventLog.AppendOutcome in
                let outcome = add(log)
                if case .full = outcome, round == lastRound { onGiveUp(log) }
                return outcome
            }
            switch outcome {
            case nil:
                lateWithoutLog.add(1, ordering: .relaxed)
                return
            case .appended(let wake)?:
                if wake { onHalfFull() }
                return
            case .closed?:
                return
            case .full?:
                if round == lastRound { return }
                onHalfFull()
                space.withLock { space.wait(nanoseconds: Self.payloadWaitNanos) }
            }
        }
    }

    // MARK: - Drain

    /// What one drain hands to the writer besides the events.
    struct DrainCounts {
        /// Total events dropped so far.
        var dropped: UInt64
        /// The drain stopped at `limit`: more events are ready now (for the last drain: call it again; the buffer is
        /// closed only when this is false).
        var more = false
    }

    /// Hands the writer every event that is safe to hand out now (see "Draining and the watermark"), merged in
    /// timestamp order, their payloads (each `.payload` event's `aux` rewritten to its index in `payloads`), and the
    /// task ids of events dropped since the last drain. The three arrays are emptied first.
    /// With `close`, this is the last drain: it takes everything, and later appends are counted as late and go
    /// nowhere (a task that outlives the recording must neither wait for a writer that is gone nor keep the
    /// buffer's memory alive: the logs' memory is freed here).
    ///
    /// `limit` bounds the events taken (except that one stamp's events are never split): the drain then cuts every
    /// log at one lower stamp, as it does for a thread inside an append, and reports `more`. A writer behind a busy
    /// program then takes its backlog in parts that stay in the cache and in arrays already touched — one drain of
    /// a whole backlog cost ~65–95 ns per event here, much of it page faults on arrays grown by tens of MiB — and
    /// can write one part while it drains and derives the next.
    func drain(
        into events: inout [RawEvent], payloads: inout [EventPayload], lostTasks: inout [TraceTaskID],
        close: Bool = false, limit: Int = .max
    ) -> DrainCounts {
        precondition(limit > 0, "a drain must be allowed to take something")
        events.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        lostTasks.removeAll(keepingCapacity: true)
        var more = false
        let dropped = drainState.withLock { state -> UInt64 in
            var cutoff = UInt64.max
            // With light announcements, the drainer's fence: false if it failed (then no flag can be trusted).
            var fenced = true
            if close {
                closed.store(true, ordering: .sequentiallyConsistent)
                if lightAnnounce { fenced = AsymmetricFence.heavy() }
            } else {
                cutoff = clock.stamp()
                tasktrace_after_clock_read_fence()
                if lightAnnounce { fenced = AsymmetricFence.heavy() }
            }
            // After the clock read: a log registered later belongs to a thread whose stamps come later.
            let logs = logs.withLock { $0 }
            if close {
                for log in logs {
                    while log.appending.load(ordering: .sequentiallyConsistent) != 0 { sched_yield() }
                }
            }
            var ends = [Int](repeating: 0, count: logs.count)
            for (index, log) in logs.enumerated() {
                let busy = !close && (!fenced || log.appending.load(ordering: .sequentiallyConsistent) != 0)
                let end = log.published.load(ordering: .acquiring)
                ends[index] = end
                if busy {
                    let begin = log.consumed.load(ordering: .relaxed)
                    let last = end > begin ? log.drainerEvent(at: end - 1).timestamp : log.lastTakenStamp
                    cutoff = min(cutoff, max(last, state.watermark))
                }
            }
            if limit < .max {
                (cutoff, more) = Self.cutoff(logs, ends: ends, below: cutoff, taking: limit)
            }
            // Copy each log's events below the cutoff into one run per log, then merge the runs.
            state.scratch.removeAll(keepingCapacity: true)
            state.runs.removeAll(keepingCapacity: true)
            for (index, log) in logs.enumerated() {
                let begin = log.consumed.load(ordering: .relaxed)
                let runStart = state.scratch.count
                let position =
                    cutoff == .max
                    ? ends[index] : log.drainerFirstPosition(atOrAfter: cutoff, from: begin, to: ends[index])
                log.drainerCopy(from: begin, to: position, into: &state.scratch)
                state.runs.append(runStart..<state.scratch.count)
                if position > begin { log.lastTakenStamp = state.scratch[state.scratch.count - 1].timestamp }
                // Also when nothing was taken (held back by a thread inside an append): the log may wake us again.
                log.drainerRelease(upTo: position)
            }
            EventMerge.merge(state.scratch, runs: state.runs, into: &events)
            // Raw stamps to trace nanoseconds (nondecreasing by construction, see `StampConverter`); payloads by
            // their sequence numbers.
            state.converter.calibrate(clock, previousCutoff: state.watermark)
            if !close || more { state.watermark = cutoff }
            var sequences: [UInt64] = []
            let converter = state.converter
            events.withUnsafeMutableBufferPointer { events in
                for index in events.indices {
                    events[index].timestamp = converter.nanos(events[index].timestamp)
                    if events[index].kind == .payload {
                        sequences.append(events[index].aux)
                        events[index].aux = UInt64(sequences.count - 1)
                    }
                }
            }
            let last = max(state.lastNanos, events.last?.timestamp ?? 0)
            state.lastNanos = last
            lastHandedOut.store(last, ordering: .relaxed)
            if !sequences.isEmpty {
                payloadTable.withLock { table in
                    for sequence in sequences {
                        // Always present: stored before its event was published, removed only here.
                        if let payload = table.removeValue(forKey: sequence) { payloads.append(payload) }
                    }
                }
            }
            var dropped = payloadDrops.load(ordering: .relaxed)
            for log in logs {
                log.losses.withLock { losses in
                    dropped &+= losses.dropped
                    let room = Self.lostCapacity - lostTasks.count
                    lostTasks.append(contentsOf: losses.lostTasks.prefix(max(room, 0)))
                    losses.lostTasks.removeAll(keepingCapacity: true)
                }
                // Without a fence an append may still be in flight: the log's deinit frees the ring instead.
                if close, !more, fenced { log.drainerFreeStorage() }
            }
            if close, !more { payloadTable.withLock { $0 = [:] } }
            return dropped
        }
        space.withLock { space.broadcast() }
        return DrainCounts(dropped: dropped, more: more)
    }

    /// The highest stamp at or below `cutoff` such that the events of `logs` (from each one's `consumed` to its
    /// `ends` entry) stamped below it number at most `limit` — or just above the lowest stamp, when that stamp alone
    /// has more (a drain must take something) — and whether events below `cutoff` are left above it. A binary
    /// search over stamps; each count is a binary search per log.
    private static func cutoff(
        _ logs: [ThreadEventLog], ends: [Int], below cutoff: UInt64, taking limit: Int
    ) -> (cutoff: UInt64, more: Bool) {
        func taken(below stamp: UInt64) -> Int {
            var count = 0
            for (index, log) in logs.enumerated() {
                let begin = log.consumed.load(ordering: .relaxed)
                count += log.drainerFirstPosition(atOrAfter: stamp, from: begin, to: ends[index]) - begin
            }
            return count
        }
        let ready = taken(below: cutoff)
        guard ready > limit else { return (cutoff, false) }
        var lowest = UInt64.max
        for (index, log) in logs.enumerated() {
            let begin = log.consumed.load(ordering: .relaxed)
            if ends[index] > begin { lowest = min(lowest, log.drainerEvent(at: begin).timestamp) }
        }
        // `taken(below: low)` <= limit < `taken(below: high)`; the lowest stamp's events are always taken.
        var low = lowest &+ 1
        var high = cutoff
        let atLowest = taken(below: low)
        if atLowest > limit { return (low, atLowest < ready) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if taken(below: middle) > limit { high = middle } else { low = middle }
        }
        return (low, true)
    }

    /// The last non-final drain's cutoff: no later drain hands out a stamp below it (for tests).
    var watermark: UInt64 { drainState.withLock { $0.watermark } }

    /// Logs whose ring memory the last drain has freed (for tests).
    var freedLogCount: Int { logs.withLock { logs in logs.filter { $0.retired.load(ordering: .acquiring) }.count } }

    /// Events dropped so far.
    var dropped: UInt64 {
        logs.withLock { logs in
            logs.reduce(payloadDrops.load(ordering: .relaxed)) { sum, log in
                sum &+ log.losses.withLock { $0.dropped }
            }
        }
    }

    /// Events that arrived after the last drain.
    var lateEvents: UInt64 {
        logs.withLock { logs in
            logs.reduce(lateWithoutLog.load(ordering: .relaxed)) { $0 &+ $1.late.load(ordering: .relaxed) }
        }
    }

    /// Logs made for this buffer so far, and how many of them wait for a new thread (their owner exited).
    var threadLogCounts: (total: Int, vacant: Int) {
        logs.withLock { logs in (logs.count, logs.filter { $0.vacant.load(ordering: .acquiring) }.count) }
    }
}
