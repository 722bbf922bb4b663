import TaskTraceModel

extension TraceRuntime {
    /// asyncio's `to_thread`: runs blocking `work` on the blocking-work pool (threads `tasktrace-blocking-N`) and
    /// suspends the caller meanwhile. Recorded as a task of kind `blocking` (id `2^48 + n`) whose parent is the
    /// caller: created and scheduled when called, running on the pool thread, done or errored when `work` returns.
    ///
    /// The work cannot be cancelled once it runs (like a thread in asyncio's default executor).
    public func toThread<T: Sendable>(
        _ name: String? = nil, file: String = #fileID, line: Int = #line,
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let recorder = self.recorder
        let id = recorder.makeSyntheticTaskID()
        let parent = recorder.currentTask
        let thread = recorder.currentThread
        recorder.append(
            .created(
                TaskRecord(
                    id: id, parentID: parent == 0 ? nil : parent, name: name ?? "toThread", kind: .blocking,
                    file: file, line: line
                )
            ),
            thread: thread
        )
        recorder.append(RawEvent(kind: .direct, task: id, thread: thread, detail: TaskState.scheduled.rawValue))
        let pool = blockingPool
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            pool.submit { threadID in
                recorder.append(RawEvent(kind: .direct, task: id, thread: threadID, detail: TaskState.running.rawValue))
                // While the work runs, the pool thread's current task is this blocking task, so tasks it spawns
                // (and cancellations it requests) name it as their parent.
                let context = ThreadContext.current
                let previousTask = context.currentTask
                context.currentTask = id
                let result = Result { try work() }
                context.currentTask = previousTask
                recorder.recordOutcome(task: id, result)
                let state: TaskState
                switch result {
                case .success: state = .done
                case .failure(let error): state = error is CancellationError ? .cancelled : .errored
                }
                recorder.append(RawEvent(kind: .direct, task: id, thread: threadID, detail: state.rawValue))
                continuation.resume(with: result)
            }
        }
    }
}
