import Synchronization
import TaskTraceModel

/// The bounded, preallocated buffer between the hot path and the writer thread.
///
/// Two arrays of `capacity` raw events are allocated up front: producers append to the active one under one
/// `Mutex` (no allocation: the array's capacity is reserved and it is uniquely owned), the writer swaps in the
/// empty one. The timestamp is read inside the lock, so buffer order is time order and causality holds (an
/// enqueue is appended before the job can reach a worker). When the active array is full the event is
/// dropped and counted. API events with strings (spawns, outcomes, marks) go to a payload list bounded by
/// `payloadCapacity`; they are not the hot path, so when the buffer is full they wait for the writer to drain it
/// (backpressure, up to `payloadWaitLimit`) instead of being dropped: a task's name and outcome are worth a pause.
///
/// Memory bound: `2 × capacity × 40 bytes` for raw events plus at most `2 × payloadCapacity` payloads.
/// Thread-safe: every method may be called from any thread.
final class EventBuffer: Sendable {
    private struct State: ~Copyable {
        var events: [RawEvent]
        var payloads: [EventPayload]
        var dropped: UInt64 = 0
        var wakeSent = false
        /// Set once the writer has drained for the last time: later events go nowhere.
        var closed = false
    }

    let capacity: Int
    let payloadCapacity: Int
    let clock: TraceClock
    let start: UInt64
    private let state: Mutex<State>
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
        state = Mutex(State(events: events, payloads: payloads))
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
                if !state.closed { state.dropped &+= 1 }
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

    /// Appends an API event with its payload (may allocate; not the hot path). When the buffer is full it wakes
    /// the writer and waits for room (backpressure), dropping the event only if no room comes within ~1 s.
    func append(_ payload: EventPayload, thread: TraceThreadID = 0, waitForRoom: Bool = true) {
        let lastRound = waitForRoom ? Self.payloadWaitRounds : 0
        for round in 0...lastRound {
            let appended = state.withLock { state -> Bool in
                if state.closed { return true }
                guard state.events.count < capacity, state.payloads.count < payloadCapacity else {
                    if round == lastRound { state.dropped &+= 1 }
                    return false
                }
                let event = RawEvent(
                    kind: .payload, task: 0, thread: thread, aux: UInt64(state.payloads.count), timestamp: now()
                )
                state.payloads.append(payload)
                state.events.append(event)
                return true
            }
            if appended || round == lastRound { return }
            onHalfFull()
            space.withLock { space.wait(nanoseconds: Self.payloadWaitNanos) }
        }
    }

    /// Hands everything buffered so far to the writer: swaps `events` (which must be empty, with capacity) in.
    /// Returns the total number of events dropped so far.
    func drain(into events: inout [RawEvent], payloads: inout [EventPayload]) -> UInt64 {
        events.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        let dropped = state.withLock { state in
            swap(&state.events, &events)
            swap(&state.payloads, &payloads)
            state.wakeSent = false
            return state.dropped
        }
        space.withLock { space.broadcast() }
        return dropped
    }

    /// After the writer's last drain: frees both arrays' memory and makes every later append a no-op (a task that
    /// outlives the recording must neither wait for a writer that is gone nor keep the buffer's memory alive).
    func close() {
        state.withLock { state in
            state.closed = true
            state.events = []
            state.payloads = []
        }
        space.withLock { space.broadcast() }
    }

    /// Events dropped so far.
    var dropped: UInt64 { state.withLock { $0.dropped } }
}
