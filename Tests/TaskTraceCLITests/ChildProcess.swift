import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process the test controls as an operating system would: signals at chosen moments, its exit status
/// or the signal that ended it, its peak resident memory (`wait4`), and a deadline that turns a hang into a
/// failure instead of a stuck test run. Output goes to files the test reads afterwards.
final class ChildProcess {
    /// How the child ended.
    struct Exit: CustomStringConvertible {
        /// Exit status when it exited; nil when a signal ended it.
        var status: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        /// Peak resident set size in KiB (`ru_maxrss`).
        var maxRSSKiB: Int
        var description: String { status.map { "exit \($0)" } ?? "signal \(signal ?? 0)" }
    }

    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String

    /// Starts `executable` with `arguments`; `environment` entries are added to the test's own environment.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], outputIn folder: String) throws {
        stdoutPath = folder + "/child-\(UUID().uuidString).out"
        stderrPath = folder + "/child-\(UUID().uuidString).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        pid = child
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to end; after `deadline` seconds it is killed and the wait reported as a hang (nil).
    func wait(deadline seconds: Double = 120) async -> Exit? {
        let start = Date()
        var hung = false
        while true {
            var status: Int32 = 0
            var usage = rusage()
            let rc = wait4(pid, &status, WNOHANG, &usage)
            if rc == pid {
                if hung { return nil }
                let signalled = (status & 0x7f) != 0
                return Exit(
                    status: signalled ? nil : (status >> 8) & 0xff, signal: signalled ? status & 0x7f : nil,
                    maxRSSKiB: Int(usage.ru_maxrss)
                )
            }
            if rc < 0 { return nil }
            if !hung, Date().timeIntervalSince(start) > seconds {
                hung = true
                kill(pid, SIGKILL)
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Polls `condition` (every 5 ms) until it holds or the child ends; false when the child ended first or
    /// `seconds` passed.
    func waitUntil(deadline seconds: Double = 120, _ condition: () -> Bool) async -> Bool {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if condition() { return true }
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 { return false }
            if info._sifields._sigchld.si_pid == pid { return condition() }  // ended (a zombie, not yet reaped)
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return false
    }
}

/// Wall-clock nanoseconds since 1970 (`CLOCK_REALTIME`), as `meta.started_unix_ns` is written.
func unixNanos() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}
