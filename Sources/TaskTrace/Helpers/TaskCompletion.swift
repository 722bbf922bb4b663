import Synchronization

/// The result of a spawned task once it ends, and the callbacks waiting for it.
///
/// Thread-safe: state behind one `Mutex`; callbacks run outside the lock, on the thread that completes the task
/// (or the registering thread if it has already ended).
final class TaskCompletion<T: Sendable>: Sendable {
    typealias Callback = @Sendable (Result<T, any Error>) -> Void

    private struct State {
        var result: Result<T, any Error>?
        var callbacks: [Callback] = []
    }

    private let state = Mutex(State())

    /// The result, if the task has ended.
    var result: Result<T, any Error>? { state.withLock { $0.result } }

    /// Stores the result and runs the waiting callbacks once. Returns how many callbacks ran.
    @discardableResult
    func complete(_ result: Result<T, any Error>) -> Int {
        let callbacks: [Callback] = state.withLock { state in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.callbacks = [] }
            return state.callbacks
        }
        for callback in callbacks { callback(result) }
        return callbacks.count
    }

    /// Runs `callback` when the task ends, or now if it has.
    func onComplete(_ callback: @escaping Callback) {
        let ready: Result<T, any Error>? = state.withLock { state in
            if let result = state.result { return result }
            state.callbacks.append(callback)
            return nil
        }
        if let ready { callback(ready) }
    }

    /// Callbacks registered and not yet run.
    var pendingCallbacks: Int { state.withLock { $0.callbacks.count } }
}
