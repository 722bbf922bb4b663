#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock the recorder reads: nanoseconds from a monotonic source.
///
/// Trace timestamps are `now() - start`, where `start` is read once when a recording begins.
/// Replaceable so tests can drive time by hand. Thread-safe: `now` may be called from any thread at once.
public struct TraceClock: Sendable {
    /// Returns the current time in nanoseconds; must never go backwards.
    public let now: @Sendable () -> UInt64
    /// The name stored in `meta.clock`.
    public let name: String

    /// A clock from any monotonic nanosecond source.
    public init(name: String, now: @escaping @Sendable () -> UInt64) {
        self.name = name
        self.now = now
    }

    /// `CLOCK_MONOTONIC`, the default.
    public static let monotonic = TraceClock(name: "CLOCK_MONOTONIC") {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Wall-clock nanoseconds since 1970, for `meta.started_unix_ns` / `ended_unix_ns` only.
    static func unixNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
