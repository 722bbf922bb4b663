import Synchronization
import TaskTraceModel

/// Records the children of one traced task group: their spawn records, their outcomes, and which are still
/// running (so an implicit or explicit `cancelAll` marks exactly those).
///
/// Thread-safe: the running set is behind a `Mutex`; children report from their own threads.
final class GroupChildSpawner: Sendable {
    private let recorder: TraceRecorder
    private let running = Mutex<Set<TraceTaskID>>([])

    init(recorder: TraceRecorder) {
        self.recorder = recorder
    }

    /// Announces a child named `name` and runs `add` (which must create the task on this thread, as
    /// `TaskGroup.addTask` does): the child's first enqueue carries the token that gives it its record.
    func withSpawnToken(name: String?, file: String, line: Int, _ add: () -> Void) {
        let (_, id) = recorder.withSpawnToken(
            TaskRecord(id: 0, name: name, kind: .groupChild, file: file, line: line), add
        )
        if id != 0 { _ = running.withLock { $0.insert(id) } }
    }

    /// Runs a child's body and records how it ended (done, errored with its text, or cancelled).
    func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        end(result)
        return try result.get()
    }

    /// Runs a child's body that cannot throw and records it done.
    func run<T: Sendable>(_ operation: @Sendable () async -> T) async -> T {
        let value = await operation()
        end(Result<T, any Error>.success(value))
        return value
    }

    private func end<T>(_ result: Result<T, any Error>) {
        let me = recorder.currentTask
        recorder.recordOutcome(task: me, result)
        _ = running.withLock { $0.remove(me) }
    }

    /// Marks every child still running as cancellation-requested (the group is about to cancel them).
    func markRunningChildrenCancelled(reason: String) {
        let requester = recorder.currentTask
        let children = running.withLock { $0.sorted() }
        // `by task N` first, as `SpawnedTask.cancel` writes it, so views can draw the request from its requester.
        let by = requester == 0 ? "by its group" : "by task \(requester) (its group)"
        for child in children {
            recorder.append(.mark(taskID: child, kind: MarkKind.cancelRequested, detail: "\(by): \(reason)"))
        }
    }
}
