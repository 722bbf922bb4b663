import Synchronization
public import TaskTraceStore

/// Writes a recording into a new SQLite trace file through `TraceWriter` (one transaction per batch, WAL).
///
/// `init` only claims the path (`TracePathClaim`: every error about the path is thrown there, before the program
/// runs); the file's schema is written by the first call after it — `begin`, on the recorder's writer thread — so
/// the ~1 ms it takes does not delay the traced program's start.
///
/// Thread-safe: calls are serialized by an internal lock (in practice the recorder's writer thread calls, or for a
/// backlog's parts its write-ahead thread, one call at a time).
///
/// ```swift
/// let sink = try SQLiteTraceSink(path: "run.sqlite")
/// let value = try await TaskTrace.record(into: sink) { runtime in await work(runtime) }
/// ```
public final class SQLiteTraceSink: TraceSink {
    private enum State {
        /// The path is claimed; no writer yet.
        case claimed(TracePathClaim)
        case writing(TraceWriter)
        /// The writer could not be made: every later call throws this.
        case failed(TraceStoreError)
        /// Released by `finish` so the file is closed even while tasks that outlive the recording keep the sink
        /// alive.
        case finished
    }

    private let state: Mutex<State>
    /// The file being written.
    public let path: String

    /// Claims the trace file at `path`, replacing any file there.
    /// - Throws: `TraceStoreError.inUse`, `.isDirectory` or `.cannotCreate` when the path cannot be written.
    public init(path: String) throws {
        self.path = path
        state = Mutex(.claimed(try TracePathClaim(path: path)))
    }

    public func begin(meta: [String: String]) throws {
        try withWriter { try $0.setMeta(meta) }
    }

    public func write(_ batch: TraceBatch) throws {
        try withWriter { try $0.write(batch) }
    }

    public func idle() throws {
        try withWriter { try $0.writeHeldRows() }
    }

    public func settle() throws {
        try withWriter { try $0.checkpoint() }
    }

    public func finish(meta: [String: String]) throws {
        try withWriter { writer in try writer.finish(meta: meta) }
        state.withLock { $0 = .finished }
    }

    /// Runs `body` with the writer, making it on first use; nothing once finished.
    private func withWriter(_ body: (TraceWriter) throws -> Void) throws {
        try state.withLock { state in
            switch state {
            case .claimed(let claim):
                do {
                    let writer = try TraceWriter(claim: claim)
                    state = .writing(writer)
                    try body(writer)
                } catch let error as TraceStoreError {
                    if case .claimed = state { state = .failed(error) }
                    throw error
                }
            case .writing(let writer):
                try body(writer)
            case .failed(let error):
                throw error
            case .finished:
                return
            }
        }
    }
}
