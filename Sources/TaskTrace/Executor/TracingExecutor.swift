import Dispatch
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
    let queue = JobQueue<UnownedJob>()
    let identity: JobIdentity
    /// Whole-program capture: a spawn token naming the program's main task (`ProcessRecording.mainTaskID`),
    /// attached to that task's first recorded enqueue; 0 when unused. See `ProcessRecording`.
    let mainTaskToken = Atomic<UInt64>(0)
    /// Process capture: unstructured tasks alive at their last job end, to check again when the recording ends.
    let lifetimes = TaskLifetimeRegistry()
    /// Runs jobs past their due time while every worker is busy (see `DueJobBackstop`).
    let backstop = DueJobBackstop()

    init(workers: Int, recorder: TraceRecorder, identity: JobIdentity) {
        workerCount = max(1, workers)
        self.recorder = recorder
        self.identity = identity
    }

    /// Starts the worker threads `tasktrace-worker-1…N`, reusing threads parked by earlier recordings
    /// (`WorkerThreadPool`). Returns false when the system refused every one of them (fewer than asked still work,
    /// just with less parallelism).
    func start() -> Bool {
        var started = 0
        for index in 1...workerCount {
            queue.workerStarted()
            let threadID = recorder.announceThread(name: "tasktrace-worker-\(index)", kind: .worker)
            // A parked worker of an earlier recording if one is free (it keeps its malloc arena: see
            // `WorkerThreadPool`), else a new thread.
            let ok = WorkerThreadPool.shared.start(osName: "tt-worker-\(index)") { [self] in
                recorder.adoptCurrentThread(threadID)
                runLoop()
                // The thread may serve the next recording (`WorkerThreadPool`): it must start it like a new one.
                ThreadContext.current.resetForReuse()
            }
            if ok { started += 1 } else { queue.workerFailedToStart() }
        }
        return started > 0
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let context = ThreadContext.current
        let (taskID, isActorJob) = recordEnqueue(unownedJob, context: context)
        push(unownedJob, taskID: taskID, isActorJob: isActorJob, global: false, context: context)
    }

    /// Appends the enqueue event of `job` (while recording) and returns its task id (0: none, or not recording)
    /// and whether it is a default actor's job. `global`: the job came through the process-capture hooks (a
    /// non-child task is then `.unstructured`). `context`: the calling thread's (read once per enqueue).
    func recordEnqueue(_ unownedJob: UnownedJob, global: Bool = false, context: ThreadContext) -> (TraceTaskID, Bool) {
        guard queue.isRecording else { return (0, false) }
        let info = identity.lookup(unownedJob)
        if info.taskID != 0 {
            let hint: JobIdentity.KindHint = global && info.hint == .notChild ? .unstructured : info.hint
            recordEnqueue(of: info.taskID, hint: hint, context: context)
        } else if info.hint == .defaultActor {
            recordActorJobEnqueue(context: context)
        }
        return (info.taskID, info.hint == .defaultActor)
    }

    /// Appends the enqueue event of a task's job, with the evidence of who enqueued it.
    @inline(__always)
    private func recordEnqueue(of taskID: TraceTaskID, hint: JobIdentity.KindHint, context: ThreadContext) {
        let owned = context.owner == recorder.id
        var enqueuer = owned ? context.currentTask : 0
        var detail = hint.rawValue
        if owned, enqueuer == 0, context.inUntrackedJob {
            // Inside a default actor's job: the actor runs some task's code. With a current task, that task is
            // the enqueuer (a spawn or resume made from actor-isolated code); with none, the task being enqueued
            // is hopping back from the actor.
            enqueuer = identity.currentTaskID()
            if enqueuer == 0 { detail |= RawEvent.hopBack }
        }
        var token = context.pendingSpawnToken
        if token == 0, taskID == ProcessRecording.mainTaskID {
            // Process capture: the program's main task carries the token that names it, once.
            token = mainTaskToken.exchange(0, ordering: .relaxed)
            if token != 0 { enqueuer = 0 }
        } else if token != 0 {
            context.pendingSpawnToken = 0
            context.spawnedTaskID = taskID
        }
        let event = RawEvent(
            kind: .enqueue, task: taskID, thread: owned ? context.threadID : 0, aux: enqueuer, token: token,
            detail: detail
        )
        // A spawn's first enqueue carries the token that names the task: like the spawn itself, it waits for room
        // rather than being dropped, so no spawned task loses its name, kind, parent or site.
        if token != 0 { recorder.appendWaitingForRoom(event) } else { recorder.append(event) }
    }

    /// Queues a job: on the calling worker's own queue when a worker of this executor enqueues it, else on the
    /// shared queue (see `JobQueue`). `context`: the calling thread's.
    func push(_ unownedJob: UnownedJob, taskID: TraceTaskID, isActorJob: Bool, global: Bool, context: ThreadContext) {
        if !queue.push(unownedJob, taskID: taskID, isActorJob: isActorJob, global: global, from: context.ownJobs),
            queue.claimRestart()
        {
            // Recording is over and the workers have exited; a late job still has to run.
            // If even that thread is refused, drain the queue on this thread rather than strand the job.
            if !NamedThread.start(osName: "tt-late", { [self] in runLoop() }) { runLoop() }
        }
    }

    /// A default actor's job enqueued from a task's job while no Swift task is current: that task's code just
    /// left for the actor (it called into an idle actor), so this is the task's exact suspension point — its job's
    /// end may be recorded much later when the worker is preempted, after the actor already runs its code.
    private func recordActorJobEnqueue(context: ThreadContext) {
        guard context.owner == recorder.id, context.currentTask != 0, identity.currentTaskID() == 0 else { return }
        recorder.append(
            RawEvent(
                kind: .enqueue, task: 0, thread: context.threadID, aux: context.currentTask,
                detail: JobIdentity.KindHint.defaultActor.rawValue
            )
        )
    }

    private func runLoop() {
        let context = ThreadContext.current
        let threadID = context.threadID
        let executor = asUnownedTaskExecutor()
        let worker = queue.join()
        // Restored on the way out: `push` may run this loop on a thread that already serves another queue.
        let previousOwnJobs = context.ownJobs
        context.ownJobs = worker
        defer { context.ownJobs = previousOwnJobs }
        while let item = queue.pop(worker) {
            context.currentTask = item.taskID
            context.inUntrackedJob = item.isActorJob
            context.jobSerial &+= 1
            if item.recorded {
                recorder.append(RawEvent(kind: .jobStart, task: item.taskID, thread: threadID))
            }
            if item.global {
                runGlobal(item, executor: executor)
            } else if item.wakeUp {
                // The task it resumes goes to the shared queue, as from the backstop: tasks woken together then
                // run in the order of their due times, whichever thread ran their wake-ups (a worker's own queue
                // would have let a later one overtake an earlier one taken by the backstop).
                context.ownJobs = nil
                item.job.runSynchronously(on: executor)
                context.ownJobs = worker
            } else {
                item.job.runSynchronously(on: executor)
            }
            if item.recorded {
                recorder.append(RawEvent(kind: .jobEnd, task: item.taskID, thread: threadID))
            }
            context.currentTask = 0
            context.inUntrackedJob = false
            queue.finished(item, on: worker)
        }
        // The last worker out hands sleeps that outlast it to Dispatch timers (`TracingExecutor+Scheduling`).
        pushLate(queue.takeDueJobsIfNoWorkers())
    }

    /// Stops recording; resumes once every recorded job that was running has ended, or after `grace` at the
    /// latest (`graceMilliseconds`): a job stuck in a blocking call (a task nobody awaited, inside a semaphore wait) must not hold the
    /// recording open. Such a job's task stays `running` to the end of the trace.
    func stopRecording(graceMilliseconds: Int = 250) async {
        let once = ResumeOnce()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resume: @Sendable () -> Void = { if once.claim() { continuation.resume() } }
            queue.stopRecording(then: resume)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(graceMilliseconds), execute: resume)
        }
    }

    /// Lets one of two racing callers through. Thread-safe (an atomic flag).
    private final class ResumeOnce: Sendable {
        private let claimed = Atomic<Bool>(false)
        func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// Lets the workers exit once the queue is empty, and the due-job backstop at once.
    func shutdown() {
        queue.shutdown()
        backstop.stop()
    }
}
