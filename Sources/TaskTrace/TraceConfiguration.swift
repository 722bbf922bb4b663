/// Tuning of a recording. Thread-safe (a value type).
///
/// ```swift
/// var configuration = TraceConfiguration(workers: 4)
/// configuration.bufferCapacity = 1 << 20
/// try await TaskTrace.record(into: sink, configuration: configuration) { runtime in … }
/// ```
public struct TraceConfiguration: Sendable {
    /// Worker threads of the executor; 1 behaves like asyncio's single-threaded event loop.
    public var workers: Int
    /// Threads of the blocking-work pool (`toThread`).
    public var blockingThreads: Int = 4
    /// Raw events each appending thread's buffer holds between two flushes (40 bytes each, rounded up to a power of
    /// two, reserved when the thread first appends; the operating system backs a page only once the ring reaches
    /// it, so a thread that records a few thousand events pays a few hundred KiB of the 20 MiB default). Worker
    /// threads, the blocking pool and any other thread that records events each have one; a thread that exits
    /// hands its buffer to the next new thread. One worker alone can fill it: 1,000 tasks yielding 100 times make
    /// ~500k events in ~0.1 s, faster than the writer derives them, and half this capacity dropped events there.
    public var bufferCapacity: Int = 1 << 19
    /// API events with text (spawn names, marks, outcomes) the buffer holds between two flushes; when full, API
    /// calls wait for the writer instead of dropping.
    public var payloadCapacity: Int = 1 << 18
    /// The writer flushes at least this often, in nanoseconds (and early when the buffer is half full; and every
    /// 2 ms while the program records only a trickle of events: see `TraceRecorder.flushWait`).
    /// Short, so the writer keeps pace with the program instead of leaving a backlog for the end of the recording.
    public var flushIntervalNanos: UInt64 = 10_000_000
    /// `.executor` (default): tasks on the recording's executor. `.process`: every task of the process (`Task {}`,
    /// `Task.detached {}`, library code), the executor serving as the global executor while the recording runs.
    public var capture: CaptureMode = .executor
    /// Where timestamps come from: by default the CPU's invariant time-stamp counter where there is one, else
    /// `CLOCK_MONOTONIC` (`TraceClock.fastest`; `meta.clock` names the one used).
    public var clock: TraceClock = .fastest
    /// How jobs are mapped to task ids; replaced by tests to simulate an unreadable id.
    var identity: JobIdentity = .runtime

    public init(workers: Int = 1) {
        self.workers = max(1, workers)
    }

    /// Allowed `flushIntervalNanos`: 0 would make the writer spin, a huge one would never flush.
    public static let flushIntervalRange: ClosedRange<UInt64> = 1_000_000...3_600_000_000_000

    /// Throws `TraceRuntimeError.invalidConfiguration` for values the recorder cannot work with.
    func validate() throws {
        guard Self.flushIntervalRange.contains(flushIntervalNanos) else {
            throw TraceRuntimeError.invalidConfiguration(
                "flushIntervalNanos is \(flushIntervalNanos); it must be between 1 ms and 1 h (1_000_000…3_600_000_000_000)"
            )
        }
    }

    /// The bound on the recorder's raw-event memory per thread that has appended and not exited, in bytes.
    public var bufferBytes: Int { ThreadEventLog.roundedCapacity(bufferCapacity) * MemoryLayout<RawEvent>.stride }
}
