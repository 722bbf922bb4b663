import TaskTrace
import TaskTraceStore

/// A sink that drops every batch: recording with it costs the hot path and the deriver but no SQLite, so the
/// difference to a SQLite recording is what the store costs. Thread-safe (stateless).
final class DiscardingSink: TraceSink {
    func write(_ batch: TraceBatch) throws {}
    func finish(meta: [String: String]) throws {}
}
