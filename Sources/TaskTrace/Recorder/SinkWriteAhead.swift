import TaskTraceStore

/// A second thread that writes one batch into the sink while the writer derives the next.
///
/// Used for a backlog of several parts (the writer fell behind, above all the last drain after a body that kept
/// every core busy): deriving a part and writing one take about as long, so with a core free the two overlap and
/// the backlog is written in a little over half the time. The writer hands part 1 over and derives part 2 while
/// this thread writes part 1, and so on.
///
/// The sink still sees one call at a time, in order: every sink call of a backlog is made on this thread, a batch
/// is taken only after the previous call returned, and the writer calls the sink itself again only after
/// `finish()`, which waits for them all. After a failed write the later batches are not written (the writer
/// reports the first error, as it does inline). After each write the thread lets the sink `settle()` (SQLite folds
/// its WAL into the file, which `finish` would otherwise do last) — without holding up the writer: the next batch
/// can be handed over meanwhile and is written once the settle returns. Settling is best effort: its errors are
/// not the recording's (a failing file fails the next write anyway).
///
/// Thread-safe: the handed-over state lives behind `lock`; `@unchecked Sendable` relies on that.
final class SinkWriteAhead: @unchecked Sendable {
    private let sink: any TraceSink
    private let lock = ConditionLock()
    /// The batch to write next, set by the writer, taken by the thread.
    private var pending: TraceBatch?
    /// The batch written last, handed back for its arrays.
    private var written: TraceBatch?
    /// A write, or a settle, is in progress on the thread.
    private var writing = false
    private var settling = false
    private var failure: (any Error)?
    private var closed = false
    /// CPU time the thread has used, updated after each write and settle (for `meta.writer_cpu_ns`).
    private var threadCPU: UInt64 = 0

    private init(sink: any TraceSink) { self.sink = sink }

    /// Starts the thread at the writer's priority (`TraceRecorder.yieldCPUToWorkers`); nil when the system refuses a
    /// thread (the writer then writes inline).
    static func start(sink: any TraceSink) -> SinkWriteAhead? {
        let ahead = SinkWriteAhead(sink: sink)
        let started = NamedThread.start(osName: "tt-store") {
            TraceRecorder.yieldCPUToWorkers()
            ahead.run()
        }
        return started ? ahead : nil
    }

    /// Hands `batch` over once the previous write is done (not waiting for a settle), and returns that previous
    /// batch (for the deriver to reuse) and the first write error so far.
    func submit(_ batch: consuming TraceBatch) -> (done: TraceBatch?, error: (any Error)?) {
        // Not `withLock`: the batch is moved in (a closure could only copy it, and a copy would make the deriver's
        // reuse of its arrays copy them again).
        lock.lock()
        while writing || pending != nil { lock.wait() }
        let done = written.take()
        pending = consume batch
        let error = failure
        lock.broadcast()
        lock.unlock()
        return (done, error)
    }

    /// Waits until every handed-over batch is written and the thread has stopped calling the sink; returns the
    /// last batch and the first error. The thread stays for the next backlog; `close()` ends it.
    func finish() -> (done: TraceBatch?, error: (any Error)?) {
        lock.withLock {
            while writing || settling || pending != nil { lock.wait() }
            return (written.take(), failure)
        }
    }

    /// CPU time the thread has used so far (its writes are the writer's work).
    var cpuNanos: UInt64 { lock.withLock { threadCPU } }

    /// Ends the thread after its current call (call after `finish()`).
    func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }

    private func run() {
        while true {
            let batch: TraceBatch
            let skip: Bool
            do {
                lock.lock()
                defer { lock.unlock() }
                while pending == nil, !closed { lock.wait() }
                guard let next = pending.take() else { return }
                batch = next
                writing = true
                skip = failure != nil
            }
            var error: (any Error)?
            if !skip {
                do { try batch.isEmpty ? sink.idle() : sink.write(batch) } catch let thrown { error = thrown }
            }
            lock.lock()
            if failure == nil { failure = error }
            written = consume batch
            writing = false
            let settle = failure == nil
            settling = settle
            threadCPU = ThreadCPUTime.nanos()
            lock.broadcast()
            lock.unlock()
            guard settle else { continue }
            try? sink.settle()
            lock.withLock {
                settling = false
                threadCPU = ThreadCPUTime.nanos()
                lock.broadcast()
            }
        }
    }
}
