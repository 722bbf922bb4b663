import Synchronization
import TaskTraceModel

/// The bounded, preallocated buffer between the hot path and the writer thread.
///
/// Two arrays of `capacity` raw events are allocated up front: producers append to the active one under one
/// `HotPathLock` (no allocation: the array's capacity is reserved and it is uniquely owned), the writer swaps in
/// the empty one. The timestamp is read inside the lock, so buffer order is time order and causality holds (an
/// enqueue is appended before the job can reach a worker). When the active array is full the event is
/// dropped and counted. API events with strings (spawns, outcomes, marks) go to a payload list bounded by
/// `payloadCapacity`; they are not the hot path, so when the buffer is full they wait for the writer to drain it
/// (backpressure, up to `payloadWaitLimit`) instead of being dropped: a task's name and outcome are worth a pause.
///
/// A dropped hot-path event's task id is kept in a small preallocated side table (`lostCapacity` ids per flush),
/// so the trace can say which tasks lost events. Events appended after the writer's last drain are counted as
/// late (`lateEvents`), never silently discarded.
///
/// Memory bound: `2 × capacity × 40 bytes` for raw events plus at most `2 × payloadCapacity` payloads.
/// Thread-safe: every method may be called from any thread.
final class EventBuffer: Sendable {
    private struct State: ~Copyable {
        var events: [RawEvent]
        var payloads: [EventPayload]
        var dropped: UInt64 = 0
        /// Task ids of dropped events since the last drain (bounded by `lostCapacity`; the rest only counted).
        var lostTasks: [TraceTaskID]
        /// Events that arrived after the last drain (`closed`).
        var late: UInt64 = 0
        var wakeSent = false
        /// Set once the writer has drained for the last time: later events go nowhere.
        var closed = false
    }

    let capacity: Int
    let payloadCapacity: Int
    /// Task ids of dropped events remembered per flush.
    static let lostCapacity = 4096
    let clock: TraceClock
    let start: UInt64
    private let state: HotPathLock<State>
    /// Signalled after every drain, for API events waiting for room.
    private let space = ConditionLock()
    /// How long an API event waits for room before it is dropped (and counted) after all: 100 × 10 ms.
    private static let payloadWaitRounds = 100
    private static let payloadWaitNanos: UInt64 = 10_000_000
    /// Called (outside the lock) when the buffer passes half full, to wake the writer early.
    private let onHalfFull: @Sendable () -> Void

    init(capacity: Int, payloadCapacity: Int, clock: TraceClock, onHalfFull: @escaping @Sendable () -> Void) {
        self.capacity = max(capacity, 16)
        self.payloadCapacity = max(payloadCapacity, 16)
        self.clock = clock
        self.start = clock.now()
        self.onHalfFull = onHalfFull
        var events: [RawEvent] = []
        events.reserveCapacity(self.capacity)
        var payloads: [EventPayload] = []
        payloads.reserveCapacity(min(self.payloadCapacity, 1024))
        var lost: [TraceTaskID] = []
        lost.reserveCapacity(Self.lostCapacity)
        state = HotPathLock(State(events: events, payloads: payloads, lostTasks: lost))
    }

    /// Nanoseconds since the recording started.
    func now() -> TraceNanos {
        let value = clock.now()
        return value >= start ? value - start : 0
    }

    /// Appends a raw event stamped with the current time. Hot path: never allocates, never blocks on I/O.
    @inline(__always)
    func append(_ event: RawEvent) {
        var stamped = event
        let wake = state.withLock { state -> Bool in
            guard state.events.count < capacity, !state.closed else {
                Self.lose(event, &state)
                return false
            }
            stamped.timestamp = now()
            state.events.append(stamped)
            if !state.wakeSent, state.events.count >= capacity / 2 {
                state.wakeSent = true
                return true
            }
            return false
        }
        if wake { onHalfFull() }
    }

    /// Counts an event that found no room (or came after the last drain); remembers its task when it can.
    @inline(__always)
    private static func lose(_ event: RawEvent, _ state: inout State) {
        if state.closed {
            state.late &+= 1
            return
        }
        state.dropped &+= 1
        if event.task != 0, state.lostTasks.count < lostCapacity { state.lostTasks.append(event.task) }
    }

    /// Appends a raw event that must not be lost (a spawn's first enqueue): waits for room like an API event.
    func appendWaitingForRoom(_ event: RawEvent) {
        waitForRoom(needsPayload: false) { state in
            var stamped = event
            stamped.timestamp = now()
            state.events.append(stamped)
        } onGiveUp: { state in
            Self.lose(event, &state)
        }
    }

    /// Appends an API event with its payload (may allocate; not the hot path). When the buffer is full it wakes
    /// the writer and waits for room (backpressure), dropping the event only if no room comes within ~1 s.
    func append(_ payload: EventPayload, thread: TraceThreadID = 0, waitForRoom wait: Bool = true) {
        waitForRoom(needsPayload: true, rounds: wait ? Self.payloadWaitRounds : 0) { state in
            let event = RawEvent(
                kind: .payload, task: 0, thread: thread, aux: UInt64(state.payloads.count), timestamp: now()
            )
            state.payloads.append(payload)
            state.events.append(event)
        } onGiveUp: { state in
            state.dropped &+= 1
        }
    }

    /// Runs `add` under the lock once there is room, waking the writer and waiting up to `rounds` × 10 ms for
    /// it; `onGiveUp` counts the event when no room came. After the last drain the event is counted late.
    private func waitForRoom(
        needsPayload: Bool, rounds lastRound: Int = payloadWaitRounds, add: (inout State) -> Void,
        onGiveUp: (inout State) -> Void
    ) {
        for round in 0...lastRound {
            let appended = state.withLock { state -> Bool in
                if state.closed {
                    state.late &+= 1
                    return true
                }
                guard state.events.count < capacity, !needsPayload || state.payloads.count < payloadCapacity else {
                    if round == lastRound { onGiveUp(&state) }
                    return false
                }
                add(&state)
                return true
            }
            if appended || round == lastRound { return }
            onHalfFull()
            space.withLock { space.wait(nanoseconds: Self.payloadWaitNanos) }
        }
    }

    /// What one drain hands to the writer besides the events.
    struct DrainCounts {
        /// Total events dropped so far.
        var dropped: UInt64
    }

    /// Hands everything buffered so far to the writer: swaps `events` (which must be empty, with capacity) in, and
    /// moves the task ids of events dropped since the last drain to `lostTasks`.
    /// With `close`, this is the last drain: later appends are counted as late and go nowhere (a task that
    /// outlives the recording must neither wait for a writer that is gone nor keep the buffer's memory alive).
    func drain(
        into events: inout [RawEvent], payloads: inout [EventPayload], lostTasks: inout [TraceTaskID],
        close: Bool = false
    ) -> DrainCounts {
        events.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        lostTasks.removeAll(keepingCapacity: true)
        let dropped = state.withLock { state in
            swap(&state.events, &events)
            swap(&state.payloads, &payloads)
            swap(&state.lostTasks, &lostTasks)
            state.wakeSent = false
            if close {
                state.closed = true
                state.events = []
                state.payloads = []
                state.lostTasks = []
            }
            return state.dropped
        }
        space.withLock { space.broadcast() }
        return DrainCounts(dropped: dropped)
    }

    /// Events dropped so far.
    var dropped: UInt64 { state.withLock { $0.dropped } }

    /// Events that arrived after the last drain.
    var lateEvents: UInt64 { state.withLock { $0.late } }
}
