import Synchronization

extension TraceRuntime {
    /// asyncio's `gather`: awaits every task and returns their results in order.
    ///
    /// As in asyncio, the first task to fail (error or cancellation) makes `gather` throw that error at once, and
    /// the other tasks are NOT cancelled: they keep running, and the trace shows them finish. Pass
    /// `cancelOnFailure: true` for `asyncio.TaskGroup`'s behaviour instead (the others are cancelled, reason
    /// `gather: sibling failed`). If the caller is cancelled, every task is cancelled (asyncio cancels the
    /// gathered awaitables) and `CancellationError` is thrown.
    public func gather<T: Sendable>(_ tasks: [SpawnedTask<T>], cancelOnFailure: Bool = false) async throws -> [T] {
        helperMark("gather", "tasks " + tasks.map { String($0.id) }.joined(separator: ","))
        let waiter = CompletionWaiter(total: tasks.count) { done, failures, total in failures > 0 || done == total }
        let firstFailure = Mutex<(any Error)?>(nil)
        let reason = await waiter.wait(on: tasks, timeout: nil, cancellationFails: true) { result in
            if case .failure(let error) = result {
                firstFailure.withLock { first in if first == nil { first = error } }
            }
        }
        if reason == .cancelled {
            for task in tasks where !task.isDone { task.cancel(reason: "gather cancelled") }
            throw CancellationError()
        }
        // The first failure in completion order is the one to throw.
        if let failure = firstFailure.withLock({ $0 }) {
            if cancelOnFailure {
                for task in tasks where !task.isDone { task.cancel(reason: "gather: sibling failed") }
            }
            throw failure
        }
        var values: [T] = []
        values.reserveCapacity(tasks.count)
        for task in tasks { values.append(try await task.value) }
        return values
    }

    /// asyncio's `gather(return_exceptions=True)`: every task's result, errors included, in order. Never throws;
    /// cancelling the caller does not cancel the tasks.
    public func gatherResults<T: Sendable>(_ tasks: [SpawnedTask<T>]) async -> [Result<T, any Error>] {
        helperMark("gather", "tasks " + tasks.map { String($0.id) }.joined(separator: ",") + " (results)")
        var results: [Result<T, any Error>] = []
        results.reserveCapacity(tasks.count)
        for task in tasks { results.append(await task.result) }
        return results
    }
}
