/// What a recording captures. Thread-safe (a value type).
public enum CaptureMode: Sendable, Equatable {
    /// Tasks that run on the recording's executor: the runtime's `spawn`, their `TaskGroup` and `async let`
    /// children, and `Task(executorPreference: runtime.executor)`.
    case executor
    /// Every task of the process: the tracing executor also serves as the global executor while the recording
    /// runs, so `Task {}`, `Task.detached {}` and library code's tasks are recorded too. One such recording at a
    /// time per process; the previous global-executor hooks are put back when it ends. See docs/runtime.md.
    case process
}
