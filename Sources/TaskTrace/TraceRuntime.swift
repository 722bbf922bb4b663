public import TaskTraceModel

/// Handle to a running recording, passed to the body of `TaskTrace.record`: starts traced tasks and offers
/// asyncio's helpers (spawn, gather, wait, waitFor, shield, toThread, done callbacks).
///
/// Thread-safe: use it from any task. Tasks started through it run on `executor` and are recorded exactly
/// (name, kind, parent, spawn site, outcome); `TaskGroup` and `async let` children of those tasks are captured
/// automatically. Do not keep it after the recording returns: tasks started then run but are not recorded.
public final class TraceRuntime: Sendable {
    /// The executor every traced task runs on; usable as `Task(executorPreference: runtime.executor)`.
    public let executor: TracingExecutor
    let recorder: TraceRecorder
    let blockingPool: BlockingPool

    init(recorder: TraceRecorder, configuration: TraceConfiguration) {
        self.recorder = recorder
        executor = TracingExecutor(
            workers: configuration.workers, recorder: recorder, identity: configuration.identity
        )
        blockingPool = BlockingPool(threads: configuration.blockingThreads, recorder: recorder)
    }

    /// Number of executor worker threads.
    public var workerCount: Int { executor.workerCount }

    /// The id the trace uses for the task calling this, if it runs on the runtime's worker threads.
    public var currentTaskID: TraceTaskID? {
        let id = recorder.currentTask
        return id == 0 ? nil : id
    }

    /// asyncio's `create_task`: starts `operation` as a new task (kind `spawned`, parent = the calling task).
    ///
    /// - Parameters:
    ///   - name: the task's name (also `Task.name` inside it); `task-<id>` in the handle when nil.
    ///   - file, line: the spawn site stored in the trace.
    /// - Returns: a handle to await, cancel or watch the task.
    @discardableResult
    public func spawn<T: Sendable>(
        _ name: String? = nil, file: String = #fileID, line: Int = #line,
        _ operation: @escaping @Sendable () async throws -> T
    ) -> SpawnedTask<T> {
        start(name: name, kind: .spawned, file: file, line: line, operation)
    }

    /// Starts a task of `kind` on the executor with its trace metadata. Shared by spawn, waitFor and record.
    func start<T: Sendable>(
        name: String?, kind: TaskKind, file: String?, line: Int?,
        _ operation: @escaping @Sendable () async throws -> T
    ) -> SpawnedTask<T> {
        let recorder = self.recorder
        let completion = TaskCompletion<T>()
        let (task, spawnedID) = recorder.withSpawnToken(
            TaskRecord(id: 0, name: name, kind: kind, file: file, line: line)
        ) {
            Task<T, any Error>(name: name, executorPreference: executor) {
                let result: Result<T, any Error>
                if Task.isCancelled {
                    // Cancelled before it ever ran: like asyncio, the body never starts.
                    result = .failure(CancellationError())
                } else {
                    do {
                        result = .success(try await operation())
                    } catch {
                        result = .failure(error)
                    }
                }
                let me = recorder.currentTask
                recorder.recordOutcome(task: me, result)
                let callbacks = completion.complete(result)
                if callbacks > 0 {
                    recorder.append(.mark(taskID: me, kind: "done_callbacks", detail: "\(callbacks) callback(s) ran"))
                }
                return try result.get()
            }
        }
        var id = spawnedID
        if id == 0 { id = recorder.makeSyntheticTaskID() }  // the task id could not be read: degrade
        return SpawnedTask(
            id: id, name: name ?? "task-\(id)", task: task, completion: completion, recorder: recorder
        )
    }

    /// A user annotation mark on the current task (also records the task's `Task.name` if it has one).
    public func annotate(_ text: String) {
        let task = recorder.currentTask
        if task != 0, let name = Task.name {
            recorder.append(.taskName(task: task, name: name))
        }
        recorder.append(.mark(taskID: task == 0 ? nil : task, kind: MarkKind.annotation, detail: text))
    }

    /// Records a helper's mark on the calling task.
    func helperMark(_ kind: String, _ detail: String) {
        let task = recorder.currentTask
        recorder.append(.mark(taskID: task == 0 ? nil : task, kind: kind, detail: detail))
    }
}
