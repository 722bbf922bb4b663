public import TaskTraceModel

/// What part of a trace a `Timeline` keeps: a time window and a task-name filter.
///
/// Thread-safe (a value type).
public struct TimelineOptions: Sendable, Hashable {
    /// Keep only time from here (ns since the trace started); segments are clipped to the window.
    public var from: TraceNanos?
    /// Keep only time up to here (ns).
    public var to: TraceNanos?
    /// Keep tasks whose name contains this text (case-insensitive), plus their ancestors.
    public var nameFilter: String?

    public init(from: TraceNanos? = nil, to: TraceNanos? = nil, nameFilter: String? = nil) {
        self.from = from
        self.to = to
        self.nameFilter = nameFilter
    }

    /// True when nothing is filtered out.
    public var isEverything: Bool { from == nil && to == nil && (nameFilter ?? "").isEmpty }
}
