internal import CTaskTraceHooks

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock the recorder reads: nanoseconds from a monotonic source.
///
/// Trace timestamps are `now() - start`, where `start` is read once when a recording begins.
/// Replaceable so tests can drive time by hand. Thread-safe: `now` may be called from any thread at once.
///
/// The default (`TraceClock.fastest`) stamps hot-path events with the CPU's time-stamp counter where it is
/// invariant (x86 with `constant_tsc`/`nonstop_tsc`, and the kernel itself using it as its clock
/// source): ~9 ns a read on the 2-core VM against ~21 ns for `clock_gettime`. The writer converts ticks to
/// `CLOCK_MONOTONIC` nanoseconds (`TSCCalibration`), so `now` and the stamps share one time line. Elsewhere it is
/// `CLOCK_MONOTONIC`. `name` (stored in `meta.clock`) says which.
public struct TraceClock: Sendable {
    /// Returns the current time in nanoseconds; must never go backwards.
    public let now: @Sendable () -> UInt64
    /// The name stored in `meta.clock`.
    public let name: String
    /// Hot-path stamps are raw TSC ticks, converted to `now`'s nanoseconds by the writer.
    let stampsTSC: Bool

    /// A clock from any monotonic nanosecond source.
    public init(name: String, now: @escaping @Sendable () -> UInt64) {
        self.init(name: name, stampsTSC: false, now: now)
    }

    private init(name: String, stampsTSC: Bool, now: @escaping @Sendable () -> UInt64) {
        self.name = name
        self.now = now
        self.stampsTSC = stampsTSC
    }

    /// `CLOCK_MONOTONIC`, read for every event.
    public static let monotonic = TraceClock(name: "CLOCK_MONOTONIC") { monotonicNanos() }

    /// The time-stamp counter on the hot path, calibrated against `CLOCK_MONOTONIC` by the writer; nil where the
    /// counter is not invariant (see `TraceClock.fastest`).
    public static let tsc: TraceClock? =
        tscIsReliable
        ? TraceClock(name: "TSC (calibrated to CLOCK_MONOTONIC)", stampsTSC: true) { monotonicNanos() } : nil

    /// The cheapest reliable clock here: `tsc` when available, else `monotonic`. The default of a recording.
    public static var fastest: TraceClock { tsc ?? monotonic }

    /// The hot path's stamp: raw ticks for a TSC clock, else `now()` (nanoseconds).
    @inline(__always)
    func stamp() -> UInt64 { stampsTSC ? tasktrace_tsc_read() : now() }

    /// `CLOCK_MONOTONIC` in nanoseconds.
    @inline(__always)
    static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// The CPU says the counter is invariant, and the kernel keeps it as its clock source (it
    /// switches away from a TSC it finds unstable or unsynchronised between cores). The environment variable
    /// `TASKTRACE_CLOCK=monotonic` turns it off.
    private static let tscIsReliable: Bool = {
        guard tasktrace_tsc_usable() != 0 else { return false }
        if let choice = getenv("TASKTRACE_CLOCK"), String(cString: choice) == "monotonic" { return false }
        #if os(Linux)
        guard let file = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r") else {
            return false
        }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).hasPrefix("tsc")
        #else
        return false
        #endif
    }()

    /// Wall-clock nanoseconds since 1970, for `meta.started_unix_ns` / `ended_unix_ns` only.
    static func unixNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
