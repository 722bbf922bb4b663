import TaskTraceModel

extension TraceRuntime {
    /// asyncio's `wait`: waits until `returnWhen` holds or `timeout` passes, and returns `(done, pending)` in the
    /// order given. Pending tasks are not cancelled. A cancelled caller returns early with the current split.
    public func wait<T: Sendable>(
        _ tasks: [SpawnedTask<T>], returnWhen: WaitCondition = .allCompleted, timeout: Duration? = nil
    ) async -> (done: [SpawnedTask<T>], pending: [SpawnedTask<T>]) {
        helperMark("wait", "\(returnWhen) of tasks " + tasks.map { String($0.id) }.joined(separator: ","))
        let waiter = CompletionWaiter(total: tasks.count) { done, failures, total in
            switch returnWhen {
            case .allCompleted: done == total
            case .firstCompleted: done >= 1 || total == 0
            case .firstException: failures >= 1 || done == total
            }
        }
        _ = await waiter.wait(on: tasks, timeout: timeout)
        var done: [SpawnedTask<T>] = []
        var pending: [SpawnedTask<T>] = []
        for task in tasks {
            if task.isDone { done.append(task) } else { pending.append(task) }
        }
        return (done, pending)
    }

    /// asyncio's `wait_for`: runs `operation` as a task (kind `spawned`, named `name` or `waitFor`); at the deadline
    /// cancels it (reason `timeout`), waits for it to end and throws `TimeoutError`. Cancelling the caller cancels
    /// the task too and throws `CancellationError`.
    public func waitFor<T: Sendable>(
        _ name: String? = nil, timeout: Duration, file: String = #fileID, line: Int = #line,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = start(name: name ?? "waitFor", kind: .spawned, file: file, line: line, operation)
        helperMark("timeout", "task \(task.id) within \(timeout)")
        let waiter = CompletionWaiter(total: 1) { done, _, _ in done == 1 }
        switch await waiter.wait(on: [task], timeout: timeout) {
        case .satisfied:
            return try await task.value
        case .timedOut:
            task.cancel(reason: "timeout after \(timeout)")
            _ = await task.result
            throw TimeoutError(timeout: timeout)
        case .cancelled:
            task.cancel(reason: "waitFor cancelled")
            _ = await task.result
            throw CancellationError()
        }
    }

    /// asyncio's `shield`: awaits `task`; if the awaiting task is cancelled, the awaiter gets `CancellationError`
    /// at once but `task` keeps running (it is not cancelled).
    public func shield<T: Sendable>(_ task: SpawnedTask<T>) async throws -> T {
        helperMark("shield", "task \(task.id)")
        let waiter = CompletionWaiter(total: 1) { done, _, _ in done == 1 }
        if await waiter.wait(on: [task], timeout: nil) == .cancelled {
            throw CancellationError()
        }
        return try await task.value
    }
}
