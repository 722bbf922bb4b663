import Synchronization
import TaskTraceModel

/// A `TaskExecutor` with its own named worker threads that records the life cycle of every task it runs.
///
/// Every job of a task that prefers this executor — tasks started through `TraceRuntime`, and their
/// `TaskGroup` and `async let` children, which inherit the preference — passes through `enqueue(_:)`.
/// The hot path (enqueue, job start, job end) appends one fixed-size event to the recorder's buffer and
/// never touches the sink. With one worker it behaves like asyncio's single-threaded event loop: a job that
/// blocks starves every other task.
///
/// Thread-safe: `enqueue` may be called from any thread. Create it through `TaskTrace.record`; use it as
/// `Task(executorPreference: runtime.executor)` or `withTaskExecutorPreference(runtime.executor)`.
public final class TracingExecutor: TaskExecutor {
    /// Number of worker threads.
    public let workerCount: Int
    let recorder: TraceRecorder
    let queue = JobQueue()
    let identity: JobIdentity
    /// Whole-program capture: a spawn token naming the program's main task (`ProcessRecording.mainTaskID`),
    /// attached to that task's first recorded enqueue; 0 when unused. See `ProcessRecording`.
    let mainTaskToken = Atomic<UInt64>(0)
    /// Process capture: unstructured tasks alive at their last job end, to check again when the recording ends.
    let lifetimes = TaskLifetimeRegistry()

    init(workers: Int, recorder: TraceRecorder, identity: JobIdentity) {
        workerCount = max(1, workers)
        self.recorder = recorder
        self.identity = identity
    }

    /// Starts the worker threads `tasktrace-worker-1…N`. Returns false when the system refused every one of them
    /// (fewer than asked still work, just with less parallelism).
    func start() -> Bool {
        var started = 0
        for index in 1...workerCount {
            queue.workerStarted()
            let ok = NamedThread.start(osName: "tt-worker-\(index)") { [self] in
                _ = recorder.registerCurrentThread(name: "tasktrace-worker-\(index)", kind: .worker)
                runLoop()
            }
            if ok { started += 1 } else { queue.workerFailedToStart() }
        }
        return started > 0
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let taskID = recordEnqueue(unownedJob)
        push(unownedJob, taskID: taskID, global: false)
    }

    /// Appends the enqueue event of `job` (while recording) and returns its task id (0: none, or not recording).
    /// `global`: the job came through the process-capture hooks (a non-child task is then `.unstructured`).
    func recordEnqueue(_ unownedJob: UnownedJob, global: Bool = false) -> TraceTaskID {
        var taskID: TraceTaskID = 0
        if queue.isRecording {
            let info = identity.lookup(unownedJob)
            taskID = info.taskID
            if taskID != 0 {
                let context = ThreadContext.current
                var token = context.pendingSpawnToken
                let owned = context.owner == recorder.id
                var parentEvidence = owned ? context.currentTask : 0
                if token == 0, taskID == ProcessRecording.mainTaskID {
                    token = mainTaskToken.exchange(0, ordering: .relaxed)
                    if token != 0 { parentEvidence = 0 }  // a resume, not the main task's creation
                } else if token != 0 {
                    context.pendingSpawnToken = 0
                    context.spawnedTaskID = taskID
                }
                recorder.append(
                    RawEvent(
                        kind: .enqueue, task: taskID, thread: owned ? context.threadID : 0,
                        aux: parentEvidence, token: token,
                        detail: (global && info.hint == .notChild ? .unstructured : info.hint).rawValue
                    )
                )
            }
        }
        return taskID
    }

    func push(_ unownedJob: UnownedJob, taskID: TraceTaskID, global: Bool) {
        if !queue.push(unownedJob, taskID: taskID, global: global), queue.claimRestart() {
            // Recording is over and the workers have exited; a late job still has to run.
            // If even that thread is refused, drain the queue on this thread rather than strand the job.
            if !NamedThread.start(osName: "tt-late", { [self] in runLoop() }) { runLoop() }
        }
    }

    private func runLoop() {
        let context = ThreadContext.current
        let threadID = context.threadID
        let executor = asUnownedTaskExecutor()
        while let item = queue.pop() {
            context.currentTask = item.taskID
            if item.recorded {
                recorder.append(RawEvent(kind: .jobStart, task: item.taskID, thread: threadID))
            }
            if item.global {
                runGlobal(item, executor: executor)
            } else {
                item.job.runSynchronously(on: executor)
            }
            if item.recorded {
                recorder.append(RawEvent(kind: .jobEnd, task: item.taskID, thread: threadID))
            }
            context.currentTask = 0
            queue.finished(item)
        }
    }

    /// Stops recording; resumes once every recorded job that was running has ended.
    func stopRecording() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.stopRecording { continuation.resume() }
        }
    }

    /// Lets the workers exit once the queue is empty.
    func shutdown() { queue.shutdown() }
}
