internal import CTaskTraceHooks

/// Turns the hot path's raw stamps into trace nanoseconds (since the recording's start), on the writer side.
///
/// For a nanosecond clock a stamp is `clock.now()`, and the conversion only subtracts the start. For the TSC clock
/// (`TraceClock.stampsTSC`) a stamp is a tick count, converted with the rate measured between the start and the
/// latest calibration (`calibrate()`, at every drain): each drain pairs a tick read with `CLOCK_MONOTONIC` read
/// around it, so the rate's error shrinks as the recording goes on (±~50 ns of pairing jitter over a baseline of
/// at least ~1 ms, then over the whole recording). A later drain may use a slightly different rate than an earlier
/// one; the buffer therefore raises a stamp that would fall before the last one it handed out (`EventBuffer`),
/// which keeps trace time nondecreasing. The order of events never depends on this conversion: the buffer merges
/// by raw stamp.
///
/// Not thread-safe: owned by the buffer's drain state (one drainer at a time).
struct StampConverter {
    /// `clock.now()` when the recording started: trace time 0.
    let startNanos: UInt64
    private let stampsTSC: Bool
    private let startTicks: UInt64
    private var nanosPerTick: Double = 0
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
    }

    /// Measures the tick rate since the start again (TSC clock only). Called by the drainer before it converts.
    mutating func calibrate(_ clock: TraceClock) {
        guard stampsTSC else { return }
        var (nanos, ticks) = Self.pair(clock)
        if ticks &- startTicks < Self.minimumBaselineTicks {
            // Only for a recording drained within its first ~millisecond: wait (on the writer) for a usable baseline.
            while tasktrace_tsc_read() &- startTicks < Self.minimumBaselineTicks {}
            (nanos, ticks) = Self.pair(clock)
        }
        guard ticks > startTicks, nanos > startNanos else { return }
        nanosPerTick = Double(nanos - startNanos) / Double(ticks - startTicks)
    }

    /// Trace nanoseconds of a raw stamp (0 for a stamp before the start).
    @inline(__always)
    func nanos(_ stamp: UInt64) -> UInt64 {
        if !stampsTSC { return stamp >= startNanos ? stamp - startNanos : 0 }
        guard stamp > startTicks else { return 0 }
        return UInt64(Double(stamp - startTicks) * nanosPerTick)
    }

    /// A tick count and the `CLOCK_MONOTONIC` time at it (the middle of two reads around the tick read).
    private static func pair(_ clock: TraceClock) -> (nanos: UInt64, ticks: UInt64) {
        let before = clock.now()
        let ticks = tasktrace_tsc_read()
        let after = clock.now()
        return (before + (after - before) / 2, ticks)
    }
}
