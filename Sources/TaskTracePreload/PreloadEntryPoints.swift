import CTaskTracePreload
import Synchronization
import TaskTrace
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#endif

/// The Swift half of the preload library (`libTaskTracePreload.so`): the recording that `tasktrace record --
/// PROGRAM` makes of an unmodified program. The C half calls these at load, on main-queue jobs, and at exit.
///
/// Configuration comes from the environment, set by `tasktrace record` and removed here so the program's own
/// children are not recorded into the same file:
/// `TASKTRACE_PRELOAD_OUTPUT` (trace path), `TASKTRACE_PRELOAD_WORKERS`, `TASKTRACE_PRELOAD_COMMAND`,
/// `TASKTRACE_PRELOAD_ASYNC_MAIN` (`1`: the program has an async `main`).
/// Thread-safe: the recording lives behind a `Mutex`.
enum PreloadRecording {
    static let active = Mutex<ProcessRecording?>(nil)
    static let outputPath = Mutex<String?>(nil)
}

/// Starts the recording (from the load-time constructor). Returns 0 when it runs; otherwise prints one line.
@_cdecl("tasktrace_preload_swift_start")
func tasktracePreloadSwiftStart() -> Int32 {
    let environment = PreloadEnvironment()
    guard let path = environment.take("TASKTRACE_PRELOAD_OUTPUT"), !path.isEmpty else { return 1 }
    let workers = environment.take("TASKTRACE_PRELOAD_WORKERS").flatMap { Int($0) } ?? 1
    let command = environment.take("TASKTRACE_PRELOAD_COMMAND") ?? CommandLine.arguments.joined(separator: " ")
    let asyncMain = environment.take("TASKTRACE_PRELOAD_ASYNC_MAIN") == "1"
    do {
        // Runs in the load-time constructor, on the main thread, before `main`.
        let recording = try ProcessRecording(path: path, workers: workers, command: command, asyncMain: asyncMain)
        PreloadRecording.active.withLock { $0 = recording }
        PreloadRecording.outputPath.withLock { $0 = path }
        tasktrace_preload_observe_main_queue(1)
        return 0
    } catch {
        unlink(path)  // no half-made trace: the recording never started
        PreloadEnvironment.printError("tasktrace: cannot record this program: \(error)")
        return 1
    }
}

/// Finishes the trace (at exit, or on a signal before it is re-raised). Idempotent.
@_cdecl("tasktrace_preload_swift_finish")
func tasktracePreloadSwiftFinish(_ signalNumber: Int32) {
    tasktrace_preload_observe_main_queue(0)
    guard let recording = PreloadRecording.active.withLock({ $0 }) else { return }
    guard let outcome = recording.finish() else { return }
    if let error = outcome.error {
        let path = PreloadRecording.outputPath.withLock { $0 } ?? "the trace"
        PreloadEnvironment.printError("tasktrace: \(path): the trace could not be written completely: \(error)")
    }
}

/// A main-actor job is being handed to the main queue: records its enqueue. Returns its task id (0: no task).
@_cdecl("tasktrace_preload_swift_main_enqueued")
func tasktracePreloadSwiftMainEnqueued(_ job: UnsafeMutableRawPointer?) -> UInt64 {
    guard let job, let recording = PreloadRecording.active.withLock({ $0 }) else { return 0 }
    return recording.mainJobEnqueued(job)
}

/// Runs a main-actor job (`work(context)`, the runtime's own runner) on the main-actor lane.
@_cdecl("tasktrace_preload_swift_main_run")
func tasktracePreloadSwiftMainRun(
    _ taskID: UInt64, _ work: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?,
    _ context: UnsafeMutableRawPointer?
) {
    guard let work else { return }
    guard let recording = PreloadRecording.active.withLock({ $0 }) else {
        work(context)
        return
    }
    recording.runMainJob(context, taskID: taskID) { work(context) }
}

/// Reads and removes the preload's environment variables; prints errors.
struct PreloadEnvironment {
    /// The variable's value, removed from the environment so child processes do not see it.
    func take(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        unsetenv(name)
        return text
    }

    /// One line on stderr (the program's stderr: the user sees it beside the program's own output).
    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    }
}
