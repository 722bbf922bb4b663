import CTaskTraceHooks
import TaskTraceModel

/// Process capture: the executor serving as the process's global executor (see `ProcessCapture`).
extension TracingExecutor {
    /// A job the runtime handed to the global-executor hook (`Task {}`, `Task.detached {}`, a resumed task, a
    /// default actor's job). Recorded exactly like `enqueue(_:)`; run on the generic executor by a worker.
    ///
    /// When the enqueue is made from inside a job of a captured task, that task's `Task(name:)` is readable now
    /// (and only now, see `TaskEvidence`): it is recorded once per task and thread.
    func enqueueGlobal(_ job: UnownedJob) {
        if queue.isRecording { recordRunningTaskName() }
        let context = ThreadContext.current
        let (taskID, isActorJob) = recordEnqueue(job, global: true, context: context)
        push(job, taskID: taskID, isActorJob: isActorJob, global: true, context: context)
    }

    /// Runs a global job on the generic executor. For a task that is not a structured child, watches whether the
    /// runtime frees the task: if it does, the job was the task's last, and its end is recorded as an inferred
    /// outcome (`done`, or `cancelled` when the task was cancelled as the job started) with an `inferred_outcome`
    /// mark saying so.
    func runGlobal(_ item: JobQueue<UnownedJob>.Item, executor: UnownedTaskExecutor) {
        let watch = watchLifetime(of: item.job, taskID: item.recorded ? item.taskID : 0)
        if tasktrace_run_global_job(unsafeBitCast(item.job, to: UnsafeMutableRawPointer.self)) != 0 {
            item.job.runSynchronously(on: executor)  // swift_job_run not found: run it as a task-executor job
        }
        jobReturned(taskID: item.taskID, watch: watch)
    }

    /// A weak watch on an unstructured task about to run one job (nil for other jobs). Call before the job runs.
    func watchLifetime(of job: UnownedJob, taskID: TraceTaskID) -> TaskEvidence.LifetimeWatch? {
        guard taskID != 0, identity.lookup(job).hint == .notChild else { return nil }
        return TaskEvidence.LifetimeWatch(job: job)
    }

    /// After a watched job: if the runtime freed the task, the job was its last (recorded now, before the job end
    /// event, so the deriver ends the task at that job's end); if not, the registry checks again at the end.
    func jobReturned(taskID: TraceTaskID, watch: TaskEvidence.LifetimeWatch?) {
        guard let watch else { return }
        guard watch.taskFreed else {
            lifetimes.keep(taskID, watch)
            return
        }
        lifetimes.forget(taskID)
        recordInferredEnd(taskID, watch, evidence: "the runtime freed the task when this job returned")
    }

    /// Tasks freed after their last job (their handle was dropped later): each ended at that job's end. Call when
    /// the recording ends, before the recorder stops.
    func recordLateFrees() {
        for (task, watch) in lifetimes.sweep() {
            recordInferredEnd(task, watch, evidence: "the runtime had freed the task by the end of the recording")
        }
    }

    private func recordInferredEnd(_ task: TraceTaskID, _ watch: TaskEvidence.LifetimeWatch, evidence: String) {
        let state: TaskState = watch.wasCancelled ? .cancelled : .done
        recorder.append(.outcome(task: task, state: state, error: nil))
        recorder.append(
            .mark(
                taskID: task, kind: MarkKind.inferredOutcome,
                detail: "\(state.name) at the end of its last job: \(evidence), so it had finished; "
                    + (watch.wasCancelled ? "it was cancelled; " : "")
                    + "its value or error is not visible to the executor"
            )
        )
    }

    /// Reads `Task.name` of the task running on this thread, once per task and thread (see `enqueueGlobal`).
    func recordRunningTaskName() {
        let context = ThreadContext.current
        let running = context.currentTask
        guard context.owner == recorder.id, running != 0, context.nameCheckedTask != running else { return }
        if let name = TaskEvidence.currentTaskName() {
            context.nameCheckedTask = running
            recorder.append(.taskName(task: running, name: name))
        } else if withUnsafeCurrentTask(body: { $0 != nil }) {
            // The task is current and has no name. (When it is not current — it enqueues itself on suspending —
            // nothing can be read yet: try again at its next enqueue.)
            context.nameCheckedTask = running
        }
    }
}
