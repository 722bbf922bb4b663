public import TaskTraceModel

/// One task of a `Timeline`: who it is, where it sits in the task tree, how it ended, and its statistics.
///
/// Thread-safe (a value type).
public struct TimelineTask: Sendable, Hashable {
    public var id: TraceTaskID
    /// The parent as recorded (may name a task absent from the timeline).
    public var parentID: TraceTaskID?
    /// Index of the parent in `Timeline.tasks`, when the parent is part of the timeline.
    public var parentIndex: Int?
    public var name: String?
    public var kind: TaskKind
    public var file: String?
    public var line: Int?
    public var error: String?
    /// Number of ancestors present in the timeline (0 for a root).
    public var depth: Int
    /// Direct children present in the timeline.
    public var childCount: Int
    /// All descendants present in the timeline: what a collapsed row hides.
    public var descendantCount: Int
    /// When the task's first transition happened (normally `created`); nil for a task with no transitions.
    public var createdAt: TraceNanos?
    /// When it ended (the terminal transition), or the end of the trace for an unfinished task.
    public var endedAt: TraceNanos?
    /// The last state recorded.
    public var finalState: TaskState?
    /// The trace ended while the task was not terminal: its last segment runs to the end of the trace.
    public var isUnfinished: Bool
    /// Its rows in `Timeline.segments`, in time order. Terminal states have no segment (see `finalState`).
    public var segments: Range<Int>
    /// Time spent per non-terminal state (created, scheduled, running, suspended), in ns.
    public var created: TraceNanos = 0
    public var scheduled: TraceNanos = 0
    public var running: TraceNanos = 0
    public var suspended: TraceNanos = 0
    /// Number of running segments (jobs executed).
    public var jobCount: Int = 0
    /// The end or outcome was inferred, not observed (the task has an `inferred_outcome` mark): views say
    /// "done (inferred)" rather than a confident "done".
    public var outcomeInferred = false

    /// The name shown everywhere: `name #id`, or `task #id` for an unnamed task (blocking-pool work: `#b1`, see
    /// `TaskIDText`).
    /// Unnamed tasks (automatically captured children) are labelled by kind, so `async let #5` and
    /// `group child #7` can be told apart without hovering.
    public var displayName: String {
        let label = name ?? "\(Self.unnamedLabel(kind))"
        return "\(label) #\(TaskIDText.label(id))"
    }

    /// What `displayName` calls an unnamed task of `kind` (also spelled by the Chrome export's track names).
    static func unnamedLabel(_ kind: TaskKind) -> StaticString {
        switch kind {
        case .groupChild: "group child"
        case .asyncLet: "async let"
        case .blocking: "blocking"
        case .root: "root"
        case .spawned, .unknown: "task"
        }
    }

    /// The spawn site as `File.swift:12`, when known.
    public var spawnSite: String? {
        guard let file else { return nil }
        if let line { return "\(file):\(line)" }
        return file
    }

    /// Lifetime from creation to end (or the trace's end), in ns.
    public var lifetime: TraceNanos {
        guard let createdAt, let endedAt, endedAt >= createdAt else { return 0 }
        return endedAt - createdAt
    }

    /// How it ended: the terminal state's name, or `unfinished`.
    public var outcome: String {
        if isUnfinished { return "unfinished" }
        return finalState?.name ?? "unknown"
    }

    /// The outcome as views print it: `done`, or `done (inferred)` when it was not observed.
    public var outcomeLabel: String { outcomeInferred && !isUnfinished ? "\(outcome) (inferred)" : outcome }
}
