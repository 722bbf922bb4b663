import TaskTraceModel

/// An event from the runtime's API (not the hot path): may carry strings. Thread-safe (a value type).
enum EventPayload: Sendable {
    /// The runtime is about to create a task; the enqueue carrying `token` tells its id.
    /// `record.id` is ignored; `record.parentID` is the spawning task (nil: take the enqueue's evidence).
    case spawn(token: UInt64, record: TaskRecord)
    /// A task the runtime made up itself (blocking work): created now, with its own id.
    case created(TaskRecord)
    /// A task's outcome as its wrapper saw it; becomes the terminal state at the task's current job end.
    case outcome(task: TraceTaskID, state: TaskState, error: String?)
    /// A mark; `cancelRequested` marks also flag the task (and its structured children) as cancelled.
    case mark(taskID: TraceTaskID?, kind: String, detail: String?)
    /// A thread joined the trace.
    case thread(ThreadRecord)
    /// A name learnt later (a task that called the runtime's API and has `Task.name`).
    case taskName(task: TraceTaskID, name: String)
}
