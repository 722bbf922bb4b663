import TaskTraceModel

/// A `ThrowingTaskGroup` whose children are recorded exactly: named, with their spawn site, and with their true
/// outcome — `done`, `errored` with the error's text, or `cancelled` — at their real last job.
///
/// The executor alone sees a plain group child's jobs but not how it ended (Swift gives an executor no completion
/// hook), so the trace can only infer the end of a `withThrowingTaskGroup` child. Children added here run inside
/// a wrapper that reports the outcome, like `runtime.spawn`. Get one from `runtime.withThrowingTaskGroup`.
///
/// ```swift
/// try await runtime.withThrowingTaskGroup(of: Data.self) { group in
///     for url in urls { group.addTask(name: "fetch \(url)") { try await fetch(url) } }
///     for try await data in group { consume(data) }
/// }
/// ```
/// Not thread-safe, like the group it wraps: use it only inside the body that received it.
public struct TracedThrowingTaskGroup<ChildResult: Sendable>: AsyncSequence {
    public typealias Element = ChildResult
    var group: ThrowingTaskGroup<ChildResult, any Error>
    let spawner: GroupChildSpawner

    /// Adds a child task (kind `group_child`) named `name`, recorded with its outcome.
    public mutating func addTask(
        name: String? = nil, file: String = #fileID, line: Int = #line,
        operation: @escaping @Sendable () async throws -> ChildResult
    ) {
        let spawner = self.spawner
        spawner.withSpawnToken(name: name, file: file, line: line) {
            group.addTask(name: name) { try await spawner.run(operation) }
        }
    }

    /// The next child's result, in completion order; nil when no child is left. Throws a child's error.
    public mutating func next() async throws -> ChildResult? { try await group.next() }

    /// Waits for every child; throws the first error a child threw.
    public mutating func waitForAll() async throws { try await group.waitForAll() }

    /// Cancels every child still running, recording a `cancel_requested` mark on each with `reason`.
    public func cancelAll(reason: String = "cancelAll") {
        spawner.markRunningChildrenCancelled(reason: reason)
        group.cancelAll()
    }

    /// True when no child is left to await.
    public var isEmpty: Bool { group.isEmpty }

    /// True once the group was cancelled.
    public var isCancelled: Bool { group.isCancelled }

    public func makeAsyncIterator() -> ThrowingTaskGroup<ChildResult, any Error>.Iterator {
        group.makeAsyncIterator()
    }
}

/// A `TaskGroup` (children that do not throw) whose children are recorded exactly; see `TracedThrowingTaskGroup`.
/// Not thread-safe: use it only inside the body that received it.
public struct TracedTaskGroup<ChildResult: Sendable>: AsyncSequence {
    public typealias Element = ChildResult
    var group: TaskGroup<ChildResult>
    let spawner: GroupChildSpawner

    /// Adds a child task (kind `group_child`) named `name`, recorded with its outcome.
    public mutating func addTask(
        name: String? = nil, file: String = #fileID, line: Int = #line,
        operation: @escaping @Sendable () async -> ChildResult
    ) {
        let spawner = self.spawner
        spawner.withSpawnToken(name: name, file: file, line: line) {
            group.addTask(name: name) { await spawner.run(operation) }
        }
    }

    /// The next child's result, in completion order; nil when no child is left.
    public mutating func next() async -> ChildResult? { await group.next() }

    /// Waits for every child.
    public mutating func waitForAll() async { await group.waitForAll() }

    /// Cancels every child still running, recording a `cancel_requested` mark on each with `reason`.
    public func cancelAll(reason: String = "cancelAll") {
        spawner.markRunningChildrenCancelled(reason: reason)
        group.cancelAll()
    }

    /// True when no child is left to await.
    public var isEmpty: Bool { group.isEmpty }

    public func makeAsyncIterator() -> TaskGroup<ChildResult>.Iterator { group.makeAsyncIterator() }
}

extension TraceRuntime {
    /// `withThrowingTaskGroup` with exactly recorded children (see `TracedThrowingTaskGroup`). When `body` throws,
    /// the group cancels the children still running, as Swift's does, and the trace marks each of them
    /// `cancel_requested` with the error as the reason.
    public func withThrowingTaskGroup<ChildResult: Sendable, GroupResult>(
        of childType: ChildResult.Type, returning resultType: GroupResult.Type = GroupResult.self,
        body: (inout TracedThrowingTaskGroup<ChildResult>) async throws -> GroupResult
    ) async throws -> GroupResult {
        let spawner = GroupChildSpawner(recorder: recorder)
        return try await _Concurrency.withThrowingTaskGroup(of: childType, returning: resultType) { group in
            var traced = TracedThrowingTaskGroup(group: group, spawner: spawner)
            do {
                return try await body(&traced)
            } catch {
                spawner.markRunningChildrenCancelled(reason: "group body threw: \(error)")
                throw error
            }
        }
    }

    /// `withTaskGroup` with exactly recorded children (see `TracedTaskGroup`).
    public func withTaskGroup<ChildResult: Sendable, GroupResult>(
        of childType: ChildResult.Type, returning resultType: GroupResult.Type = GroupResult.self,
        body: (inout TracedTaskGroup<ChildResult>) async -> GroupResult
    ) async -> GroupResult {
        let spawner = GroupChildSpawner(recorder: recorder)
        return await _Concurrency.withTaskGroup(of: childType, returning: resultType) { group in
            var traced = TracedTaskGroup(group: group, spawner: spawner)
            return await body(&traced)
        }
    }
}
