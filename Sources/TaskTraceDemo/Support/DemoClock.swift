#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waiting helpers the scenarios share. Callable from any task or thread.
enum DemoClock {
    /// Suspends the calling task for `milliseconds` (an `await asyncio.sleep`); throws `CancellationError`
    /// when the task is cancelled meanwhile.
    static func sleep(milliseconds: Int) async throws {
        try await Task.sleep(for: .milliseconds(milliseconds))
    }

    /// Blocks the calling thread for `milliseconds` without suspending (a `time.sleep` in async code):
    /// the worker thread it runs on can do nothing else meanwhile.
    static func blockThread(milliseconds: Int) {
        var remaining = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var rest = timespec()
        while nanosleep(&remaining, &rest) != 0 && errno == EINTR {
            remaining = rest
        }
    }
}
