import Synchronization

/// A counting semaphore for async code (asyncio's `Semaphore`): limits how many tasks do something at once.
///
/// `acquire()` suspends the caller while no permit is free; `release()` hands the permit to the longest
/// waiter (first in, first out). Waiters are not cancellable: the demo never cancels a task that waits here.
///
/// ```swift
/// let permits = AsyncPermits(8)
/// await permits.acquire()
/// defer { permits.release() }
/// ```
///
/// Thread-safe: all state is in one `Mutex`.
final class AsyncPermits: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// - Parameter count: permits free at the start (at least 1).
    init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Takes a permit, suspending until one is free.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let grantedNow = state.withLock { state in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if grantedNow { continuation.resume() }
        }
    }

    /// Gives a permit back: to the oldest waiter if there is one, else to the pool.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
