import Synchronization
public import TaskTraceStore

/// Writes a recording into a new SQLite trace file through `TraceWriter` (one transaction per batch, WAL).
///
/// Packing transitions into job rows happens on the caller's thread (the recorder's writer); the SQLite commits
/// happen on a store thread of the sink's own (`TraceStoreThread`), so the two overlap. `finish` returns once the
/// file is complete and closed (also while tasks that outlive the recording keep the sink alive).
/// Thread-safe: the packer is behind a mutex, the store thread's queue behind its lock (in practice only the
/// recorder's writer thread calls).
///
/// ```swift
/// let sink = try SQLiteTraceSink(path: "run.sqlite")
/// let value = try await TaskTrace.record(into: sink) { runtime in await work(runtime) }
/// ```
public final class SQLiteTraceSink: TraceSink {
    private let packing: Mutex<TraceBatchPacker>
    private let store: TraceStoreThread
    /// The file being written.
    public let path: String

    /// Creates the trace file at `path`, replacing any file there.
    /// - Throws: `TraceStoreError.cannotCreate` when the path cannot be written, `.inUse` when another recording
    ///   writes it.
    public init(path: String) throws {
        self.path = path
        let writer = try TraceWriter(path: path)
        packing = Mutex(TraceBatchPacker(holdNanos: TraceWriter.defaultHoldNanos))
        store = TraceStoreThread(writer: writer)
    }

    deinit { store.stop() }

    public func begin(meta: [String: String]) throws {
        try store.submit(.meta(meta))
    }

    public func write(_ batch: TraceBatch) throws {
        let packed = packing.withLock { $0.pack(batch, now: TraceWriter.monotonicNanos()) }
        guard !packed.isEmpty else { return }
        try store.submit(.commit(packed))
    }

    public func idle() throws {
        guard packing.withLock({ $0.heldCount }) > 0 else { return }
        try write(TraceBatch())
    }

    public func finish(meta: [String: String]) throws {
        let packed = packing.withLock { $0.packRemaining() }
        try store.finish(packed, meta: meta)
    }
}
