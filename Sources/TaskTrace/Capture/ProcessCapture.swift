import CTaskTraceHooks
import Dispatch
import Synchronization
import TaskTraceModel

/// Makes a `TracingExecutor` the process's global executor for a recording (`CaptureMode.process`).
///
/// The Swift concurrency runtime lets one party replace its global executor through exported hook variables
/// (`swift_task_enqueueGlobal_hook`, `…WithDelay_hook`, `…WithDeadline_hook`,
/// `swift_task_enqueueMainExecutor_hook`;
/// set and restored by the C target `CTaskTraceHooks`). While installed:
/// - every global job (`Task {}`, `Task.detached {}`, a task resuming after `await`, a default actor's job) goes to
///   the executor's queue and runs on its workers, recorded like any other job;
/// - delayed jobs wait in a `DelayedJobTimer` and are enqueued when due;
/// - main-executor jobs (if the runtime routes them through its hook) run on the main queue on a `MainActorLane`.
///   Swift 6.3.1 on Linux does not: its main actor enqueues straight onto the main Dispatch queue, which only the
///   preload library of `tasktrace record --` can observe.
///
/// One capture at a time per process. Thread-safe: the active session is behind a `Mutex`.
enum ProcessCapture {
    /// What the hooks route to while a capture is active.
    final class Session: Sendable {
        let executor: TracingExecutor
        let timer: DelayedJobTimer
        let mainLane: MainActorLane

        init(executor: TracingExecutor) {
            self.executor = executor
            timer = DelayedJobTimer { [executor] job in executor.enqueueGlobal(job) }
            mainLane = MainActorLane(executor: executor)
        }
    }

    private static let active = Mutex<Session?>(nil)

    /// The session the hooks feed, if any.
    static var current: Session? { active.withLock { $0 } }

    /// Installs the hooks for `executor`.
    /// - Throws: `TraceRuntimeError.captureUnavailable` when the runtime has no hooks or another process capture
    ///   (or another library's hook, left in place) is active.
    static func install(_ executor: TracingExecutor) throws -> Session {
        let session = Session(executor: executor)
        try active.withLock { slot in
            guard slot == nil else {
                throw TraceRuntimeError.captureUnavailable("another whole-process recording is running")
            }
            switch tasktrace_hooks_install(onGlobal, onDelay, onDeadline, onMain) {
            case 0: slot = session
            case -2: throw TraceRuntimeError.captureUnavailable("the global-executor hooks are already in use")
            default:
                throw TraceRuntimeError.captureUnavailable(
                    "this Swift runtime does not export the global-executor hooks"
                )
            }
        }
        return session
    }

    /// Puts the previous hooks back: jobs enqueued from now on go to the runtime's own executors. Jobs already
    /// queued or waiting in the timer still run on the tracing executor.
    static func restore() {
        active.withLock { slot in
            tasktrace_hooks_restore()
            slot = nil
        }
    }

    // MARK: - Hook callbacks (C function pointers: no captures)

    private static let onGlobal: tasktrace_job_callback = { pointer in
        let job = unsafeBitCast(pointer, to: UnownedJob.self)
        guard let session = current else {
            runNow(job)
            return
        }
        session.executor.enqueueGlobal(job)
    }

    private static let onDelay: tasktrace_delay_callback = { delay, pointer in
        let job = unsafeBitCast(pointer, to: UnownedJob.self)
        guard let session = current else {
            runNow(job)
            return
        }
        session.timer.schedule(job, afterNanoseconds: UInt64(delay))
    }

    private static let onDeadline: tasktrace_deadline_callback = { seconds, nanoseconds, _, _, clock, pointer in
        let job = unsafeBitCast(pointer, to: UnownedJob.self)
        guard let session = current else {
            runNow(job)
            return
        }
        let wait = DelayedJobTimer.nanoseconds(untilSeconds: seconds, nanoseconds: nanoseconds, clock: clock)
        session.timer.schedule(job, afterNanoseconds: wait)
    }

    private static let onMain: tasktrace_job_callback = { pointer in
        let job = unsafeBitCast(pointer, to: UnownedJob.self)
        guard let lane = current?.mainLane else {
            if tasktrace_enqueue_main_original(pointer) != 0 { DispatchQueue.main.async { runOnMain(job) } }
            return
        }
        let taskID = lane.enqueued(job)
        DispatchQueue.main.async { lane.run(job: job, taskID: taskID) { runOnMain(job) } }
    }

    /// A job that arrived in the instant between the hooks' restore and their callbacks' reset.
    private static func runNow(_ job: UnownedJob) {
        DispatchQueue.global().async {
            _ = tasktrace_run_global_job(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        }
    }

    private static func runOnMain(_ job: UnownedJob) {
        job.runSynchronously(on: MainActor.sharedUnownedExecutor)
    }
}
