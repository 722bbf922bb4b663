/// A task's id in a trace: the Swift runtime's task id where one is known, otherwise an id the recorder assigns.
public typealias TraceTaskID = UInt64

/// A thread's id in a trace: assigned by the recorder, 1-based, stable for one trace.
public typealias TraceThreadID = UInt32

/// Nanoseconds since the trace started (the recorder's monotonic clock minus its start).
public typealias TraceNanos = UInt64

/// One row of the `transition_log` table: the task, when, which state it entered, and on which thread.
///
/// Fixed-size and trivially copyable so the recorder's hot path can store it without allocating.
/// `threadID` is 0 when no thread applies; `running` always carries the worker thread.
public struct TransitionRecord: Sendable, Hashable {
    public var taskID: TraceTaskID
    public var timestamp: TraceNanos
    public var state: TaskState
    public var threadID: TraceThreadID

    public init(taskID: TraceTaskID, timestamp: TraceNanos, state: TaskState, threadID: TraceThreadID = 0) {
        self.taskID = taskID
        self.timestamp = timestamp
        self.state = state
        self.threadID = threadID
    }
}

/// One row of the `tasks` table: who a task is, who made it, and how it ended.
public struct TaskRecord: Sendable, Hashable {
    public var id: TraceTaskID
    public var parentID: TraceTaskID?
    public var name: String?
    public var kind: TaskKind
    /// Spawn site, as `#fileID` gives it (`Module/File.swift`), where the API that created the task knows it.
    public var file: String?
    public var line: Int?
    /// Description of the error a task ended with (errored, or the cancellation's reason).
    public var error: String?

    public init(
        id: TraceTaskID, parentID: TraceTaskID? = nil, name: String? = nil, kind: TaskKind = .unknown,
        file: String? = nil, line: Int? = nil, error: String? = nil
    ) {
        self.id = id
        self.parentID = parentID
        self.name = name
        self.kind = kind
        self.file = file
        self.line = line
        self.error = error
    }

    /// This record with a later one for the same task laid over it: each of the later record's fields that is
    /// known (not nil, a kind other than `unknown`) replaces this one's. The rule every store merges by (SQLite's
    /// upsert and the `tasks` view, the reader, the in-memory sink), so a name or an error learnt later lands on the
    /// task however the records were split.
    public func merging(_ later: TaskRecord) -> TaskRecord {
        TaskRecord(
            id: id, parentID: later.parentID ?? parentID, name: later.name ?? name,
            kind: later.kind == .unknown ? kind : later.kind, file: later.file ?? file, line: later.line ?? line,
            error: later.error ?? error
        )
    }
}

/// What a thread in the trace is for; stored as text in `threads.kind`.
public enum ThreadKind: String, Sendable, CaseIterable, Hashable {
    /// A worker thread of the tracing executor.
    case worker
    /// A thread of the blocking-work pool.
    case blocking
    /// Any other thread that enqueued work (the main thread, a cooperative-pool thread).
    case external
}

/// One row of the `threads` table.
public struct ThreadRecord: Sendable, Hashable {
    public var id: TraceThreadID
    public var name: String
    public var kind: ThreadKind

    public init(id: TraceThreadID, name: String, kind: ThreadKind) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// An event that is not a state transition: a cancellation request, a user annotation, a lint.
public struct MarkRecord: Sendable, Hashable {
    /// The task the mark is about, or nil for a trace-wide mark.
    public var taskID: TraceTaskID?
    public var timestamp: TraceNanos
    /// A short machine-readable kind, e.g. `cancel_requested`, `annotation`, `error`.
    public var kind: String
    /// Human-readable detail (who cancelled, the reason, the annotation's text).
    public var detail: String?

    public init(taskID: TraceTaskID?, timestamp: TraceNanos, kind: String, detail: String? = nil) {
        self.taskID = taskID
        self.timestamp = timestamp
        self.kind = kind
        self.detail = detail
    }
}

/// A job that ran on a traced thread but belongs to no task the trace knows, such as a default actor's job
/// (those arrive with no task id). Stored in `untracked_jobs` so thread lanes show all the time a worker was busy.
public struct UntrackedJobRecord: Sendable, Hashable {
    public var threadID: TraceThreadID
    public var start: TraceNanos
    public var end: TraceNanos

    public init(threadID: TraceThreadID, start: TraceNanos, end: TraceNanos) {
        self.threadID = threadID
        self.start = start
        self.end = end
    }
}

/// Well-known mark kinds.
public enum MarkKind {
    public static let cancelRequested = "cancel_requested"
    public static let annotation = "annotation"
    public static let error = "error"
    /// The task's end or outcome was inferred, not observed (an automatically captured child whose body the
    /// runtime could not wrap); `detail` says what was inferred from what. Views show such an outcome as inferred.
    public static let inferredOutcome = "inferred_outcome"
    /// Events of this task were dropped or could not be placed; `detail` says how many and which.
    public static let eventsLost = "events_lost"
    /// The task ran on a default actor during this running segment (`detail` names the actor job evidence).
    public static let onActor = "on_actor"
}

/// How task ids read in labels.
///
/// Work that is not a Swift task (the blocking pool's `toThread` closures) gets ids from `blockingIDBase` up, far
/// above Swift's own task ids; labels show those as `b1`, `b2`… instead of `281474976710657`. Thread-safe (static).
public enum TaskIDText {
    /// The first id of blocking-pool work: `2^48`.
    public static let blockingIDBase: TraceTaskID = 1 << 48

    /// `42` for a Swift task id, `b1` for the first blocking-pool task.
    public static func label(_ id: TraceTaskID) -> String {
        blockingNumber(id).map { "b\($0)" } ?? String(id)
    }

    /// The number after the `b` of blocking-pool work (`1` for `b1`), or nil for a Swift task id: for writers that
    /// spell `label(_:)` without building a string.
    public static func blockingNumber(_ id: TraceTaskID) -> UInt64? {
        id > blockingIDBase && id < blockingIDBase << 1 ? id - blockingIDBase : nil
    }
}

/// The fixed details of the `inferred_outcome` marks the recorder writes for a structured child whose end it
/// inferred when its parent ended. Trace format version 2 stores these marks as a flag on the job row
/// (`job_log.end_inferred`) and the `marks` view spells them out again with exactly these texts.
public enum InferredOutcomeDetail {
    /// The child ended `done` at its last job's end, because its parent ended.
    public static let parentEnded = "parent ended"
    /// The child ended `cancelled` at its last job's end: its parent ended after cancellation was requested.
    public static let parentEndedCancelRequested = "parent ended; cancel requested"

    /// The detail for an inferred end in `state`, when it is one of the two kinds above.
    public static func detail(for state: TaskState) -> String? {
        switch state {
        case .done: parentEnded
        case .cancelled: parentEndedCancelRequested
        default: nil
        }
    }

    /// The end state a detail above announces (`detail(for:)` backwards), or nil for any other text.
    public static func state(for detail: String?) -> TaskState? {
        switch detail {
        case parentEnded: .done
        case parentEndedCancelRequested: .cancelled
        default: nil
        }
    }
}
