import Synchronization

/// The result of a spawned task once it ends, and the callbacks waiting for it.
///
/// Thread-safe: state behind one `Mutex`; callbacks run outside the lock, on the thread that completes the task
/// (or the registering thread if it has already ended).
final class TaskCompletion<T: Sendable>: Sendable {
    typealias Callback = @Sendable (Result<T, any Error>) -> Void

    private struct State {
        var result: Result<T, any Error>?
        var callbacks: [(key: UInt64, callback: Callback)] = []
        var nextKey: UInt64 = 1
        /// Callbacks the user registered (`onDone`), as opposed to the runtime's own waiters (gather, wait…).
        var userCallbacks = 0
    }

    private let state = Mutex(State())

    /// The result, if the task has ended.
    var result: Result<T, any Error>? { state.withLock { $0.result } }

    /// Stores the result and runs the waiting callbacks once. Returns how many of them the user registered,
    /// so the trace marks the user's done callbacks and not the runtime's own bookkeeping.
    @discardableResult
    func complete(_ result: Result<T, any Error>) -> Int {
        let (callbacks, userCallbacks): ([(key: UInt64, callback: Callback)], Int) = state.withLock { state in
            guard state.result == nil else { return ([], 0) }
            state.result = result
            defer {
                state.callbacks = []
                state.userCallbacks = 0
            }
            return (state.callbacks, state.userCallbacks)
        }
        for entry in callbacks { entry.callback(result) }
        return userCallbacks
    }

    /// Runs `callback` when the task ends, or now if it has. `isRuntimeWaiter` marks the runtime's own waiters.
    @discardableResult
    func onComplete(isRuntimeWaiter: Bool = false, _ callback: @escaping Callback) -> UInt64 {
        let (ready, key): (Result<T, any Error>?, UInt64) = state.withLock { state in
            if let result = state.result { return (result, 0) }
            let key = state.nextKey
            state.nextKey += 1
            state.callbacks.append((key, callback))
            if !isRuntimeWaiter { state.userCallbacks += 1 }
            return (nil, key)
        }
        if let ready { callback(ready) }
        return key
    }

    /// Forgets a runtime waiter that no longer waits (its helper returned before the task ended).
    func removeRuntimeWaiter(_ key: UInt64) {
        guard key != 0 else { return }
        state.withLock { state in state.callbacks.removeAll { $0.key == key } }
    }

    /// Callbacks registered and not yet run.
    var pendingCallbacks: Int { state.withLock { $0.callbacks.count } }
}
