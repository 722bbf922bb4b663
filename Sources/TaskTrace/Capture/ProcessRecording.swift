import Synchronization
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole-process recording that is started and finished by plain function calls rather than around an async
/// body: what the preload library of `tasktrace record -- PROGRAM` uses, from a constructor before `main` and from
/// the process's exit path.
///
/// Thread-safe: `finish` may be called from any thread, more than once (only the first call finishes).
package final class ProcessRecording: Sendable {
    /// `meta` key saying which capture made the trace (`process`); absent for executor-only recordings.
    package static let captureMetaKey = "capture"

    /// The Swift task id of a program's async `main` (the first task a process creates: ids are handed out in
    /// order, checked on Swift 6.3.1). Its first job runs on the main thread before any hook sees it, so its first
    /// recorded enqueue is a later resume, made from inside whichever task it awaited: that task is not its parent.
    static let mainTaskID: TraceTaskID = 1

    private let recorder: TraceRecorder
    private let runtime: TraceRuntime
    private let session: ProcessCapture.Session
    private let finished = Atomic<Bool>(false)

    /// What `finish` reports.
    package struct Outcome: Sendable {
        /// The sink's error, if the trace could not be written completely.
        package var error: String?
        package var droppedEvents: UInt64
    }

    /// Starts recording every task of this process into a new SQLite file at `path`.
    /// - Parameter asyncMain: the program has an async `main` (it imports `swift_task_asyncMainDrainQueue`): task 1
    ///   is then that main task, recorded as the root `main`. When true, call this on the main thread before `main`:
    ///   the main thread is credited with running task 1 (its first job runs there, unseen by any hook), so tasks it
    ///   starts get it as their parent.
    /// - Throws: a store error (the file cannot be created), `TraceRuntimeError` (no threads, no hooks).
    package init(path: String, workers: Int, command: String, asyncMain: Bool) throws {
        let sink = try SQLiteTraceSink(path: path)
        var configuration = TraceConfiguration(workers: workers)
        configuration.capture = .process
        let recorder = TraceRecorder(sink: sink, configuration: configuration)
        let runtime = TraceRuntime(recorder: recorder, configuration: configuration)
        self.recorder = recorder
        self.runtime = runtime
        let meta = [
            MetaKey.formatVersion: String(TraceFormat.version),
            MetaKey.tasktraceVersion: TraceFormat.toolVersion,
            MetaKey.startedUnixNs: String(TraceClock.unixNanos()),
            MetaKey.clock: configuration.clock.name,
            MetaKey.host: TaskTrace.hostName(),
            MetaKey.pid: String(getpid()),
            MetaKey.command: command,
            MetaKey.workers: String(runtime.workerCount),
            Self.captureMetaKey: "process",
        ]
        guard recorder.start(meta: meta) else { throw TraceRuntimeError.threadsUnavailable("the writer thread") }
        guard runtime.executor.start() else {
            _ = Self.wait { done in recorder.stop(meta: [:], then: done) }
            throw TraceRuntimeError.threadsUnavailable("any worker thread")
        }
        if asyncMain {
            // Name the program's main task (kind root, no parent) through the spawn-token mechanism.
            let mainToken = recorder.makeToken()
            recorder.append(.spawn(token: mainToken, record: TaskRecord(id: 0, name: "main", kind: .root)))
            runtime.executor.mainTaskToken.store(mainToken, ordering: .relaxed)
        }
        do {
            session = try ProcessCapture.install(runtime.executor)
        } catch {
            runtime.executor.shutdown()
            _ = Self.wait { done in recorder.stop(meta: [:], then: done) }
            throw error
        }
        if asyncMain {
            let context = ThreadContext.current
            context.owner = recorder.id
            context.threadID = session.mainLane.threadID
            context.currentTask = Self.mainTaskID
        }
    }

    /// The main-actor lane, for the preload library's main-queue observer.
    var mainLane: MainActorLane { session.mainLane }

    /// Ends the recording: puts the runtime's hooks back, gives running jobs up to `graceNanoseconds` to end, then
    /// flushes and finishes the file. Tasks still running or suspended stay open in the trace (unfinished); none is
    /// declared finished. Blocks the calling thread; call it once the program is exiting.
    package func finish(graceNanoseconds: UInt64 = 500_000_000) -> Outcome? {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        ProcessCapture.restore()
        let quiet = Self.Signal()
        runtime.executor.queue.stopRecording { quiet.fire() }
        // A job on this very thread (exit() called from a task) never ends while we wait: do not wait for it.
        let onOwnWorker = recorder.currentTask != 0
        if !onOwnWorker { quiet.wait(nanoseconds: graceNanoseconds) }
        runtime.executor.recordLateFrees()
        let stop = Self.wait { done in
            recorder.stop(
                meta: [
                    MetaKey.endedUnixNs: String(TraceClock.unixNanos()),
                    MetaKey.durationNs: String(recorder.buffer.now()),
                ], then: done
            )
        }
        return Outcome(error: stop.sinkError.map { "\($0)" }, droppedEvents: stop.dropped)
    }

    /// Calls `start` with a completion and blocks until it is called.
    private static func wait(
        _ start: (@escaping @Sendable (TraceRecorder.StopResult) -> Void) -> Void
    ) -> TraceRecorder.StopResult {
        let box = Mutex<TraceRecorder.StopResult?>(nil)
        let signal = Signal()
        start { result in
            box.withLock { $0 = result }
            signal.fire()
        }
        signal.wait(nanoseconds: nil)
        return box.withLock { $0 } ?? TraceRecorder.StopResult(sinkError: nil, dropped: 0, skipped: 0, transitions: 0)
    }

    /// A one-shot event a thread can wait for, with an optional time limit.
    private final class Signal: @unchecked Sendable {
        private let lock = ConditionLock()
        /// Protected by `lock`.
        private var fired = false

        func fire() {
            lock.withLock {
                fired = true
                lock.broadcast()
            }
        }

        func wait(nanoseconds: UInt64?) {
            let deadline = nanoseconds.map { TraceClock.monotonicNanos() &+ $0 }
            lock.withLock {
                while !fired {
                    guard let deadline else {
                        lock.wait()
                        continue
                    }
                    let now = TraceClock.monotonicNanos()
                    if now >= deadline { return }
                    lock.wait(nanoseconds: deadline - now)
                }
            }
        }
    }
}

extension ProcessRecording {
    /// A main-actor job seen on its way to the main queue (the preload library's interposer): records its
    /// enqueue on the main-actor lane and returns its task id (0 for a job with no task).
    package func mainJobEnqueued(_ job: UnsafeMutableRawPointer) -> UInt64 {
        mainLane.enqueued(unsafeBitCast(job, to: UnownedJob.self))
    }

    /// Runs a main-actor job's `body` on the main-actor lane (job start and end recorded).
    package func runMainJob(_ job: UnsafeMutableRawPointer?, taskID: UInt64, _ body: () -> Void) {
        mainLane.run(job: job.map { unsafeBitCast($0, to: UnownedJob.self) }, taskID: taskID, body)
    }
}
