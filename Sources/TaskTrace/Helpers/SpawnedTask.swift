public import TaskTraceModel

/// A task started by the runtime (asyncio's `Task`): await it, cancel it, or attach done callbacks.
///
/// Thread-safe: every member may be used from any task or thread. Hashable by `id`.
public final class SpawnedTask<T: Sendable>: Sendable, Hashable {
    /// The task's id in the trace.
    public let id: TraceTaskID
    /// The task's name (`"task-<id>"` when none was given).
    public let name: String
    let task: Task<T, any Error>
    let completion: TaskCompletion<T>
    private let recorder: TraceRecorder

    init(id: TraceTaskID, name: String, task: Task<T, any Error>, completion: TaskCompletion<T>, recorder: TraceRecorder) {
        self.id = id
        self.name = name
        self.task = task
        self.completion = completion
        self.recorder = recorder
    }

    /// Awaits the result; throws the task's error (`CancellationError` when it was cancelled).
    /// Cancelling the awaiting task does not cancel this one (as with `Task.value`).
    public var value: T {
        get async throws { try await task.value }
    }

    /// Awaits the result, errors included.
    public var result: Result<T, any Error> {
        get async { await task.result }
    }

    /// True once the task has ended (its result is stored).
    public var isDone: Bool { completion.result != nil }

    /// The result if the task has ended.
    public var currentResult: Result<T, any Error>? { completion.result }

    /// Requests cancellation and records a `cancel_requested` mark naming the requesting task and `reason`.
    public func cancel(reason: String? = nil) {
        let requester = recorder.currentTask
        var detail = requester == 0 ? "by a thread outside the runtime" : "by task \(requester)"
        if let reason { detail += ": \(reason)" }
        recorder.append(.mark(taskID: id, kind: MarkKind.cancelRequested, detail: detail))
        task.cancel()
    }

    /// Runs `callback` once the task ends (immediately if it already has), like asyncio's `add_done_callback`.
    /// It runs on the thread that completes the task; keep it short.
    public func onDone(_ callback: @escaping @Sendable (Result<T, any Error>) -> Void) {
        completion.onComplete(callback)
    }

    public static func == (lhs: SpawnedTask<T>, rhs: SpawnedTask<T>) -> Bool { lhs.id == rhs.id }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
