extension Duration {
    /// Whole nanoseconds: 0 for a negative duration, `UInt64.max` for one too long to count (never wraps). For
    /// waits on `CLOCK_MONOTONIC` (helpers' timeouts, the executor's due times).
    var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return carry ? .max : total
    }
}
