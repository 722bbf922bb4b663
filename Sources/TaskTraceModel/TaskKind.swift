/// How a task came to exist; stored as text in `tasks.kind`.
///
/// Thread-safe (a value type).
public enum TaskKind: String, Sendable, CaseIterable, Hashable {
    /// The body of a recording session (`TaskTrace.record`), or a task started with the runtime's `run`.
    case root
    /// Started with the runtime's spawn (asyncio's `create_task`).
    case spawned
    /// A child of a `TaskGroup` (or discarding group), captured automatically.
    case groupChild = "group_child"
    /// An `async let` child, captured automatically.
    case asyncLet = "async_let"
    /// A closure run on the blocking-work pool (asyncio's `to_thread`).
    case blocking
    /// A task whose first job reached the executor with no other evidence of its origin.
    case unknown
}
