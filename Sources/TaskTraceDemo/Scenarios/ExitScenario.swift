import TaskTrace

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program that calls `exit(3)` inside the recording, to show (and test) what the trace keeps then: `exit` ends
/// the process without returning to `TaskTrace.record`, so the trace is left as after a crash — every batch the
/// writer committed is there, the last flush interval may be missing, `meta.ended_unix_ns` is absent and the
/// tasks alive at the exit are unfinished. Not in the default set (it ends the demo).
enum ExitScenario {
    /// The exit status the scenario ends the process with.
    static let status: Int32 = 3

    static let scenario = DemoScenario(
        name: "exit",
        summary: "100 tasks, then exit(3) inside the recording: the trace is kept as after a crash",
        isInDefaultSet: false
    ) { runtime, _ in
        let tasks = (0..<100).map { index in runtime.spawn("before-exit-\(index)") { index } }
        _ = await runtime.gatherResults(tasks)
        // Three flush intervals, so the finished tasks are normally committed before the exit.
        try? await Task.sleep(for: .milliseconds(300))
        exit(status)
    }
}
