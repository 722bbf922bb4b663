internal import CTaskTraceHooks

/// Turns the hot path's raw stamps into trace nanoseconds (since the recording's start), on the writer side.
///
/// For a nanosecond clock a stamp is `clock.now()`, and the conversion only subtracts the start. For the TSC clock
/// (`TraceClock.stampsTSC`) a stamp is a tick count, converted with the rate measured between the start and the
/// latest calibration (at every drain): each drain pairs a tick read with `CLOCK_MONOTONIC` read around it, so
/// the rate's error shrinks as the recording goes on (±~50 ns of pairing jitter over a baseline of at least
/// ~1 ms, then over the whole recording).
///
/// The rate changes between drains, so the conversion is piecewise linear and continuous: each drain's line
/// starts where the previous drain's line was at the previous cutoff (`anchor`). Every stamp a drain hands out is
/// at or above the previous cutoff, and every earlier one below it, so converted time is nondecreasing across
/// drains by construction, with no stamp raised after the fact (which would hide an ordering bug). The order of
/// events never depends on this conversion: the buffer merges by raw stamp.
///
/// Not thread-safe: owned by the buffer's drain state (one drainer at a time).
struct StampConverter {
    /// `clock.now()` when the recording started: trace time 0.
    let startNanos: UInt64
    private let stampsTSC: Bool
    private let startTicks: UInt64
    private var nanosPerTick: Double = 0
    /// The current line passes through (`anchorTicks`, `anchorNanos`), trace nanoseconds.
    private var anchorTicks: UInt64
    private var anchorNanos: UInt64 = 0
    /// A rate measured over fewer ticks than this is too coarse; the first calibration waits until it is longer.
    private static let minimumBaselineTicks: UInt64 = 1 << 22

    init(clock: TraceClock) {
        stampsTSC = clock.stampsTSC
        if clock.stampsTSC {
            let (nanos, ticks) = Self.pair(clock)
            startNanos = nanos
            startTicks = ticks
        } else {
            startNanos = clock.now()
            startTicks = 0
        }
        anchorTicks = startTicks
    }

    /// Starts a drain's line at `previousCutoff` (the raw cutoff of the previous drain: no stamp of this drain is
    /// below it) and measures the tick rate since the start again (TSC clock only). Called before converting.
    mutating func calibrate(_ clock: TraceClock, previousCutoff: UInt64) {
        guard stampsTSC else { return }
        if previousCutoff > anchorTicks, nanosPerTick > 0 {
            anchorNanos = nanos(previousCutoff)
            anchorTicks = previousCutoff
        }
        var (nanos, ticks) = Self.pair(clock)
        if ticks &- startTicks < Self.minimumBaselineTicks {
            // Only for a recording drained within its first ~millisecond: wait (on the writer) for a usable baseline.
            while tasktrace_tsc_read() &- startTicks < Self.minimumBaselineTicks {}
            (nanos, ticks) = Self.pair(clock)
        }
        guard ticks > startTicks, nanos > startNanos else { return }
        nanosPerTick = Double(nanos - startNanos) / Double(ticks - startTicks)
    }

    /// Trace nanoseconds of a raw stamp at or after the current anchor (0 for a stamp before the start).
    @inline(__always)
    func nanos(_ stamp: UInt64) -> UInt64 {
        if !stampsTSC { return stamp >= startNanos ? stamp - startNanos : 0 }
        guard stamp > anchorTicks else { return anchorNanos }
        return anchorNanos + UInt64(Double(stamp - anchorTicks) * nanosPerTick)
    }

    /// A tick count and the `CLOCK_MONOTONIC` time at it (the middle of two reads around the tick read), from the
    /// tightest of a few tries: a thread preempted between its reads would otherwise pair the tick with a time off
    /// by half the preemption, and the rate measured from it would skew every stamp of the next drain (a
    /// ground-truth run saw trace times ~0.6 µs behind the test's own `CLOCK_MONOTONIC` reads).
    private static func pair(_ clock: TraceClock) -> (nanos: UInt64, ticks: UInt64) {
        var best: (nanos: UInt64, ticks: UInt64, window: UInt64) = (0, 0, .max)
        for _ in 0..<Self.pairingTries {
            let before = clock.now()
            let ticks = tasktrace_tsc_read()
            let after = clock.now()
            let window = after &- before
            if window < best.window { best = (before + window / 2, ticks, window) }
            if window <= Self.tightWindowNanos { break }
        }
        return (best.nanos, best.ticks)
    }

    /// Tries per pairing, and a window (two clock reads around a tick read take ~50 ns here) good enough to stop.
    private static let pairingTries = 8
    private static let tightWindowNanos: UInt64 = 100
}
