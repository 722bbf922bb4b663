public import TaskTraceModel

/// p50, p90, p99 and max of a set of durations, by the nearest-rank method: the p-th percentile is the smallest
/// value with at least p % of the values at or below it (so it is always one of the values, never interpolated).
///
/// Thread-safe (a value type).
public struct Percentiles: Sendable, Hashable {
    public var p50: TraceNanos
    public var p90: TraceNanos
    public var p99: TraceNanos
    public var max: TraceNanos

    /// Percentiles of `values` (all zero when empty).
    public init(_ values: [TraceNanos]) {
        let sorted = values.sorted()
        func rank(_ percent: Int) -> TraceNanos {
            guard !sorted.isEmpty else { return 0 }
            // ceil(percent / 100 * n), 1-based.
            let position = (percent * sorted.count + 99) / 100
            return sorted[Swift.max(1, position) - 1]
        }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        max = sorted.last ?? 0
    }
}
