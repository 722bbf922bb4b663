public import TaskTraceStore

/// Receives recorded rows from the recorder's writer threads (never from the hot path).
///
/// Calls come one at a time, in order, each after the previous one returned: `begin(meta:)` once, `write(_:)`,
/// `idle()` and `settle()` any number of times, then `finish(meta:)` once. They come from the recorder's writer
/// thread, or for a backlog's parts from its write-ahead thread (`tt-store`); implementations must be `Sendable`. A sink that throws stops receiving batches; `TaskTrace.record` then reports the error.
public protocol TraceSink: AnyObject, Sendable {
    /// Writes one batch of rows (transitions in recorded order; task rows are upserts by id).
    func write(_ batch: TraceBatch) throws
    /// Writes the final `meta` entries and closes the trace.
    func finish(meta: [String: String]) throws
    /// Writes the `meta` entries known when the recording starts. Default: does nothing.
    func begin(meta: [String: String]) throws
    /// Called when a flush found nothing to write, so a sink that holds rows back (the SQLite sink holds a job's
    /// row until the job ends) can write those held too long. Default: does nothing.
    func idle() throws
    /// Called after a write of a backlog's part, while the recorder derives the next part on another thread: a
    /// sink can do now, on a free core, work it would otherwise leave to `finish` (the SQLite sink folds its
    /// write-ahead log into the file). Best effort: an error is ignored. Default: does nothing.
    func settle() throws
}

extension TraceSink {
    public func begin(meta: [String: String]) throws {}
    public func idle() throws {}
    public func settle() throws {}
}
