/// When `TraceRuntime.wait` returns, like asyncio's `ALL_COMPLETED`, `FIRST_COMPLETED`, `FIRST_EXCEPTION`.
/// Thread-safe (a value type).
public enum WaitCondition: Sendable {
    /// Every task has ended.
    case allCompleted
    /// At least one task has ended.
    case firstCompleted
    /// One task ended with an error other than cancellation, or every task has ended.
    case firstException
}
