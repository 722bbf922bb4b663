/// Thrown by `TraceRuntime.waitFor` when the operation did not finish in time (asyncio's `TimeoutError`).
/// Thread-safe (a value type).
public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    /// The timeout that passed.
    public var timeout: Duration

    public init(timeout: Duration) {
        self.timeout = timeout
    }

    public var description: String { "timed out after \(timeout)" }
}
