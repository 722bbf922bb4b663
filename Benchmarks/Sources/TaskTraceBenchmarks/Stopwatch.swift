#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic seconds, for timing candidates.
enum Stopwatch {
    static func nanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = nanos()
        try body()
        return Double(nanos() - start) / 1e9
    }

    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = nanos()
        try await body()
        return Double(nanos() - start) / 1e9
    }
}
