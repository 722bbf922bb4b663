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
        if let timeout {
            let nanos = Self.nanoseconds(timeout)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanos))) { [self] in
                end(.timedOut)
            }
        }
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

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
