import TaskTraceModel

/// The main actor's jobs on a lane of their own (`threads` row `main-actor`, kind `external`).
///
/// The main actor's jobs run on whatever thread drains the main queue (on Linux, after `dispatch_main()`, a
/// Dispatch thread rather than the process's first thread), so the lane is not an OS thread: while a main-actor job
/// runs, that thread borrows the lane's id in the trace and the job's task as its current task, so the job's
/// running segment, its untracked time and any task it starts are attributed to the lane.
/// Thread-safe: the main queue is serial, and each thread's context is touched only by that thread.
final class MainActorLane: Sendable {
    let executor: TracingExecutor
    let threadID: TraceThreadID

    init(executor: TracingExecutor) {
        self.executor = executor
        threadID = executor.recorder.registerLane(name: "main-actor", kind: .external)
    }

    /// Records the enqueue of a main-actor job; returns its task id (0 for a job with no task).
    func enqueued(_ job: UnownedJob) -> TraceTaskID {
        if executor.queue.isRecording { executor.recordRunningTaskName() }
        return executor.recordEnqueue(job, global: true, context: ThreadContext.current).0
    }

    /// Runs `body` (the main-actor job `job` of task `taskID`) on the lane: job start, body, job end; an unstructured
    /// task's lifetime is watched across it as on the workers.
    func run(job: UnownedJob?, taskID: TraceTaskID, _ body: () -> Void) {
        let recorder = executor.recorder
        let context = ThreadContext.current
        let saved = (context.owner, context.threadID, context.currentTask)
        let recording = executor.queue.isRecording
        context.owner = recorder.id
        context.threadID = threadID
        context.currentTask = taskID
        var watch: TaskEvidence.LifetimeWatch?
        if recording, let job { watch = executor.watchLifetime(of: job, taskID: taskID) }
        if recording { recorder.append(RawEvent(kind: .jobStart, task: taskID, thread: threadID)) }
        body()
        executor.jobReturned(taskID: taskID, watch: watch)
        if recording { recorder.append(RawEvent(kind: .jobEnd, task: taskID, thread: threadID)) }
        (context.owner, context.threadID, context.currentTask) = saved
    }
}
