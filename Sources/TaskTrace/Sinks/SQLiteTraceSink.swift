import Synchronization
public import TaskTraceStore

/// Writes a recording into a new SQLite trace file through `TraceWriter` (one transaction per batch, WAL).
///
/// Thread-safe: calls are serialized by an internal lock (in practice the recorder's writer thread calls, or for a
/// backlog's parts its write-ahead thread, one call at a time).
///
/// ```swift
/// let sink = try SQLiteTraceSink(path: "run.sqlite")
/// let value = try await TaskTrace.record(into: sink) { runtime in await work(runtime) }
/// ```
public final class SQLiteTraceSink: TraceSink {
    /// Released by `finish` so the file is closed even while tasks that outlive the recording keep the sink alive.
    private let writer: Mutex<TraceWriter?>
    /// The file being written.
    public let path: String

    /// Creates the trace file at `path`, replacing any file there.
    /// - Throws: `TraceStoreError.cannotCreate` when the path cannot be written.
    public init(path: String) throws {
        self.path = path
        writer = Mutex(try TraceWriter(path: path))
    }

    public func begin(meta: [String: String]) throws {
        try writer.withLock { writer in try writer?.setMeta(meta) }
    }

    public func write(_ batch: TraceBatch) throws {
        try writer.withLock { writer in try writer?.write(batch) }
    }

    public func idle() throws {
        try writer.withLock { writer in try writer?.writeHeldRows() }
    }

    public func settle() throws {
        try writer.withLock { writer in try writer?.checkpoint() }
    }

    public func finish(meta: [String: String]) throws {
        try writer.withLock { writer in
            try writer?.finish(meta: meta)
            writer = nil
        }
    }
}
