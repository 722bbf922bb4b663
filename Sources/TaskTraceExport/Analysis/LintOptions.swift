public import TaskTraceModel

/// Thresholds of the lints. Defaults follow asyncio's slow-callback warning (100 ms).
///
/// Thread-safe (a value type).
public struct LintOptions: Sendable, Hashable {
    /// A single job at least this long is a blocking job.
    public var blockingThreshold: TraceNanos
    /// A wait in the queue at least this long is starvation.
    public var starvationThreshold: TraceNanos
    /// Running or queued at least this long after cancellation was requested is ignored cancellation.
    public var cancellationThreshold: TraceNanos

    public static let defaultThreshold: TraceNanos = 100_000_000

    public init(
        blockingThreshold: TraceNanos = LintOptions.defaultThreshold,
        starvationThreshold: TraceNanos = LintOptions.defaultThreshold,
        cancellationThreshold: TraceNanos = LintOptions.defaultThreshold
    ) {
        self.blockingThreshold = blockingThreshold
        self.starvationThreshold = starvationThreshold
        self.cancellationThreshold = cancellationThreshold
    }
}
