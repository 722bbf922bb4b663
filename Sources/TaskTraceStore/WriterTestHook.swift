#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test-only pause inside `TraceWriter.finish`, so crash tests can kill a recorder exactly inside its final
/// transaction (a moment too short to hit by timing).
///
/// When the environment variable `TASKTRACE_TEST_PAUSE_IN_FINISH` names a file path, `finish` creates that
/// file inside its final transaction (after the held job rows and the final `meta` rows, before the commit) and
/// then sleeps until the process is killed. Unset (always, outside tests) it costs one `getenv` per recording.
enum WriterTestHook {
    static let variable = "TASKTRACE_TEST_PAUSE_IN_FINISH"

    static func insideFinalTransaction() {
        guard let marker = getenv(variable), marker.pointee != 0 else { return }
        let fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
        while true { sleep(60) }
    }
}
