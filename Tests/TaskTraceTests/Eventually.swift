@testable import TaskTrace

/// Waits until `condition` holds, polling with `Task.sleep` (so no thread of Swift's shared pool is blocked while
/// the threads under test work), for at most `seconds`: a liveness bound, not a speed check. Returns whether it held.
func eventually(seconds: UInt64 = 20, pollNanos: UInt64 = 200_000, _ condition: () -> Bool) async -> Bool {
    let deadline = TraceClock.monotonicNanos() + seconds * 1_000_000_000
    while !condition() {
        if TraceClock.monotonicNanos() >= deadline { return false }
        try? await Task.sleep(nanoseconds: pollNanos)
    }
    return true
}
