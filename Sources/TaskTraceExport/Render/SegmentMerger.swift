import TaskTraceModel

/// Merges consecutive segments of one row into bars at least a pixel wide, for the SVG.
///
/// A segment joins the pending bar when it has the same state and touches it, or when the pending bar is narrower
/// than `minimumWidth` pixels (or the segment is, while the bar is under twice that); a merged bar takes the state that covers the most time.
/// Not thread-safe: one merger per row.
struct SegmentMerger {
    struct Bar {
        var x0: Double
        var x1: Double
        var state: TaskState
        var duration: TraceNanos
        var count: Int
        /// Time per state inside the bar, indexed by raw value.
        var perState: [TraceNanos]
    }

    var minimumWidth = 1.0
    private var pending: Bar?

    /// Adds a segment; returns a finished bar when the segment could not join the pending one.
    mutating func add(x0: Double, x1: Double, state: TaskState, duration: TraceNanos) -> Bar? {
        guard var bar = pending else {
            pending = Self.start(x0: x0, x1: x1, state: state, duration: duration)
            return nil
        }
        let touches = x0 - bar.x1 < 0.5
        let barWidth = bar.x1 - bar.x0
        // Tiny pieces gather into bars of about two pixels, so a dense stretch stays a run of small bars.
        let tiny = barWidth < minimumWidth || (x1 - x0 < minimumWidth && barWidth < 2 * minimumWidth)
        if touches && (bar.state == state || tiny) {
            bar.x1 = max(bar.x1, x1)
            bar.duration += duration
            bar.count += 1
            bar.perState[Int(state.rawValue)] += duration
            if bar.perState[Int(state.rawValue)] > bar.perState[Int(bar.state.rawValue)] { bar.state = state }
            pending = bar
            return nil
        }
        pending = Self.start(x0: x0, x1: x1, state: state, duration: duration)
        return bar
    }

    /// The last pending bar.
    mutating func finish() -> Bar? {
        defer { pending = nil }
        return pending
    }

    private static func start(x0: Double, x1: Double, state: TaskState, duration: TraceNanos) -> Bar {
        var perState = [TraceNanos](repeating: 0, count: TaskState.allCases.count)
        perState[Int(state.rawValue)] = duration
        return Bar(x0: x0, x1: x1, state: state, duration: duration, count: 1, perState: perState)
    }
}
