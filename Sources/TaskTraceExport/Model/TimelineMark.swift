public import TaskTraceModel

/// A point event drawn on the timeline: a cancellation request, an annotation, and later lints.
///
/// Thread-safe (a value type).
public struct TimelineMark: Sendable, Hashable {
    /// Index into `Timeline.tasks`, or nil for a trace-wide mark.
    public var taskIndex: Int?
    public var timestamp: TraceNanos
    /// `MarkKind` values such as `cancel_requested`.
    public var kind: String
    public var detail: String?
}
