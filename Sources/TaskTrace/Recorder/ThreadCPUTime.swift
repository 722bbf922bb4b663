#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time of the calling thread, for the trace's own cost (`meta.writer_cpu_ns`): what
/// recording took from the machine, independent of how busy it was (wall times on a loaded machine are not).
enum ThreadCPUTime {
    /// Nanoseconds of CPU the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`); 0 where unavailable.
    static func nanos() -> UInt64 {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else { return 0 }
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
