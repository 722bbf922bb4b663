import Dispatch
import Synchronization

/// Suspends one caller until a condition over a set of tasks holds, a timeout passes, or the caller is cancelled.
///
/// Used by gather, wait, waitFor and shield, so they create no helper tasks of their own (the trace shows only the
/// user's tasks). Thread-safe: state behind one `Mutex`; the continuation is resumed exactly once.
final class CompletionWaiter: Sendable {
    /// Why the wait ended.
    enum Reason: Sendable {
        case satisfied, timedOut, cancelled
    }

    private struct State {
        var done = 0
        var failures = 0
        var reason: Reason?
        var continuation: CheckedContinuation<Reason, Never>?
    }

    private let total: Int
    private let isSatisfied: @Sendable (_ done: Int, _ failures: Int, _ total: Int) -> Bool
    private let state = Mutex(State())

    init(total: Int, isSatisfied: @escaping @Sendable (_ done: Int, _ failures: Int, _ total: Int) -> Bool) {
        self.total = total
        self.isSatisfied = isSatisfied
    }

    /// Reports one task's end; `failed` as the condition counts failures.
    func taskEnded(failed: Bool) {
        let continuation: CheckedContinuation<Reason, Never>? = state.withLock { state in
            state.done += 1
            if failed { state.failures += 1 }
            guard state.reason == nil, isSatisfied(state.done, state.failures, total) else { return nil }
            state.reason = .satisfied
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: .satisfied)
    }

    private func end(_ reason: Reason) {
        let continuation: CheckedContinuation<Reason, Never>? = state.withLock { state in
            guard state.reason == nil else { return nil }
            state.reason = reason
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: reason)
    }

    /// Waits; returns at once if the condition already holds (or `total` is 0 and it holds for zero tasks).
    func wait(timeout: Duration?) async -> Reason {
        state.withLock { state in
            if state.reason == nil, isSatisfied(state.done, state.failures, total) { state.reason = .satisfied }
        }
        // A cancellable timer: once the wait is over it is cancelled, so it does not keep this waiter alive
        // until a distant deadline.
        var timer: DispatchWorkItem?
        if let timeout {
            let item = DispatchWorkItem { [self] in end(.timedOut) }
            DispatchQueue.global().asyncAfter(
                deadline: .now() + .nanoseconds(Int(clamping: timeout.saturatingNanoseconds)), execute: item
            )
            timer = item
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason, Never>) in
                let ready: Reason? = state.withLock { state in
                    if let reason = state.reason { return reason }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            end(.cancelled)
        }
    }

    /// Waits on `tasks` as a runtime waiter: `onEnd` sees each task's result as it ends; when the wait is over
    /// (satisfied, timed out or cancelled) the waiter unregisters from the tasks still running, so helpers called
    /// in a loop (polling `wait` with a timeout) leave nothing behind on long-lived tasks.
    /// - Parameter cancellationFails: whether a task that ended cancelled counts as a failure for the condition
    ///   (gather: yes, it fails fast as asyncio's does; wait's `FIRST_EXCEPTION`: no).
    func wait<T: Sendable>(
        on tasks: [SpawnedTask<T>], timeout: Duration?, cancellationFails: Bool = false,
        onEnd: @escaping @Sendable (Result<T, any Error>) -> Void = { _ in }
    ) async -> Reason {
        let keys = tasks.map { task in
            task.completion.onComplete(isRuntimeWaiter: true) { [self] result in
                onEnd(result)
                guard case .failure(let error) = result else { return taskEnded(failed: false) }
                taskEnded(failed: cancellationFails || !(error is CancellationError))
            }
        }
        let reason = await wait(timeout: timeout)
        for (task, key) in zip(tasks, keys) { task.completion.removeRuntimeWaiter(key) }
        return reason
    }

}
