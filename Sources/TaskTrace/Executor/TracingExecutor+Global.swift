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
        let taskID = recordEnqueue(job)
        push(job, taskID: taskID, global: true)
    }

    /// Runs a global job on the generic executor. For a task that is not a structured child, watches whether the
    /// runtime frees the task during the job: if it does, the job was the task's last, and its end is recorded
    /// as an inferred outcome (`done`, or `cancelled` when the task was cancelled as the job started) with an
    /// `inferred_outcome` mark saying so.
    func runGlobal(_ item: JobQueue.Item, executor: UnownedTaskExecutor) {
        var watch: TaskEvidence.LifetimeWatch?
        if item.recorded, item.taskID != 0, identity.lookup(item.job).hint == .notChild {
            watch = TaskEvidence.LifetimeWatch(job: item.job)
        }
        if tasktrace_run_global_job(unsafeBitCast(item.job, to: UnsafeMutableRawPointer.self)) != 0 {
            item.job.runSynchronously(on: executor)  // swift_job_run not found: run it as a task-executor job
        }
        guard let watch, watch.taskFreed else { return }
        let state: TaskState = watch.wasCancelled ? .cancelled : .done
        recorder.append(.outcome(task: item.taskID, state: state, error: nil))
        recorder.append(
            .mark(
                taskID: item.taskID, kind: MarkKind.inferredOutcome,
                detail: "\(state.name): the runtime freed the task when this job returned, so it had finished; "
                    + (watch.wasCancelled ? "it was cancelled, " : "")
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
