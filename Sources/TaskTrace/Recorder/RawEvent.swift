import TaskTraceModel

/// What a raw event reports; stored in one byte.
enum RawEventKind: UInt8, Sendable, BitwiseCopyable {
    /// A job was handed to the executor (`task` 0: a job with no task, not recorded).
    case enqueue
    /// A worker thread started a job.
    case jobStart
    /// A worker thread's job returned.
    case jobEnd
    /// A transition the runtime knows directly (blocking-pool tasks); `state` in `detail`.
    case direct
    /// An API event whose details live in the payload list; `aux` is the index.
    case payload
}

/// One fixed-size event of the hot path: no references, no allocation, 40 bytes.
///
/// Field use by kind — enqueue: `task`, `thread` of the enqueuer (0 if not a worker), `aux` the task running on
/// the enqueuing thread (parent evidence; the Swift task current there when the thread runs a default actor's
/// job), `token` a spawn token, `detail` the `JobIdentity.KindHint` plus `RawEvent.hopBack`.
/// jobStart / jobEnd: `task` (0 for untracked jobs), `thread`. direct: `task`, `thread`, `detail` the state.
/// Thread-safe (a value type).
struct RawEvent: Sendable, BitwiseCopyable {
    var timestamp: TraceNanos
    var task: TraceTaskID
    var aux: UInt64
    var token: UInt64
    var thread: TraceThreadID
    var kind: RawEventKind
    var detail: UInt8

    /// In an enqueue's `detail`: the task was enqueued from inside a default actor's job while no Swift task was
    /// current there — the task's code just left the actor (its hop back), so it ran on the actor until now.
    static let hopBack: UInt8 = 0x80
    /// In an enqueue's `detail`: the bits that hold the `JobIdentity.KindHint`.
    static let hintMask: UInt8 = 0x0F

    init(
        kind: RawEventKind, task: TraceTaskID, thread: TraceThreadID, aux: UInt64 = 0, token: UInt64 = 0,
        detail: UInt8 = 0, timestamp: TraceNanos = 0
    ) {
        self.timestamp = timestamp
        self.task = task
        self.aux = aux
        self.token = token
        self.thread = thread
        self.kind = kind
        self.detail = detail
    }
}
