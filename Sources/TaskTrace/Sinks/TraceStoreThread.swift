import TaskTraceModel
import TaskTraceStore

/// The SQLite sink's store thread (`tt-store`): commits packed batches to the `TraceWriter` it owns, in order,
/// while the recorder's writer thread derives and packs the next ones.
///
/// Why a thread of its own: deriving and packing are about a third of the writer's work and SQLite (with the
/// kernel's file writes) the rest. When the program's body ends with a backlog of events — on two busy cores the
/// niced writer falls behind — one thread worked through it alone while the other core idled; two stages overlap.
///
/// At most `capacity` batches wait (the memory bound, and backpressure: the writer thread blocks until the store
/// thread catches up). The first error is kept: later batches are skipped, and `submit`/`finish` throw it, so the
/// recorder learns of a failed write one batch later at most. A recording killed outright loses the waiting
/// batches too (up to `capacity` flush intervals more than before).
///
/// Thread-safe: the queue and the error are behind `lock`, which is what `@unchecked Sendable` relies on; the
/// writer is touched only by the store thread once it runs (or by the caller, when the thread could not start).
final class TraceStoreThread: @unchecked Sendable {
    enum Work {
        case meta([String: String])
        case commit(PackedBatch)
        case finish(PackedBatch, meta: [String: String])
        /// Ends the thread without finishing the trace (the sink was dropped unfinished).
        case stop
    }

    static let capacity = 3

    private let lock = ConditionLock()
    private var queue: [Work] = []
    private var head = 0
    private var firstError: (any Error)?
    private enum Mode {
        case notStarted
        case thread
        /// No thread could be started: the caller commits itself.
        case inline
        case exited
    }
    private var mode = Mode.notStarted
    /// Owned by the store thread while it runs; nil once it exited.
    private var writer: TraceWriter?

    init(writer: TraceWriter) {
        self.writer = writer
    }

    /// Queues `work`, starting the thread on first use; throws the first error a commit met so far.
    func submit(_ work: Work) throws {
        let runHere: Bool = try lock.withLock {
            if let firstError { throw firstError }
            if mode == .notStarted {
                mode = .thread
                if !NamedThread.start(osName: "tt-store", { [self] in run() }) {
                    // No thread: commit on the caller's thread, as a sink without a store thread would.
                    mode = .inline
                }
            }
            switch mode {
            case .inline: return true
            case .exited, .notStarted: return false
            case .thread: break
            }
            while queue.count - head >= Self.capacity, firstError == nil, mode == .thread { lock.wait() }
            if let firstError { throw firstError }
            guard mode == .thread else { return false }
            queue.append(work)
            lock.broadcast()
            return false
        }
        if runHere {
            try perform(work, onStoreThread: false)
            if case .finish = work { lock.withLock { writer = nil } }
        }
    }

    /// Queues the final commit and waits until the thread has written it (or failed); throws the first error.
    func finish(_ packed: PackedBatch, meta: [String: String]) throws {
        try submit(.finish(packed, meta: meta))
        try lock.withLock {
            while mode == .thread { lock.wait() }
            if let firstError { throw firstError }
        }
    }

    /// Lets a running thread exit without finishing the trace (the sink is going away unfinished).
    func stop() {
        let running = lock.withLock { mode == .thread }
        if running { try? submit(.stop) }
    }

    private func run() {
        TraceRecorder.yieldCPUToWorkers()
        while true {
            let work: Work = lock.withLock {
                while head == queue.count { lock.wait() }
                let next = queue[head]
                head += 1
                if head == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    head = 0
                }
                lock.broadcast()
                return next
            }
            var done = false
            switch work {
            case .stop: done = true
            case .finish: done = true
            default: break
            }
            let skip = lock.withLock { firstError != nil }
            if !skip {
                do { try perform(work, onStoreThread: true) } catch { lock.withLock { firstError = error } }
            }
            if done { break }
        }
        lock.withLock {
            writer = nil  // closes the file (and releases its lock) on this thread, before anyone is told
            mode = .exited
            lock.broadcast()
        }
    }

    private func perform(_ work: Work, onStoreThread: Bool) throws {
        guard let writer = lock.withLock({ writer }) else { return }
        switch work {
        case .meta(let entries): try writer.setMeta(entries)
        case .commit(let packed): try writer.commit(packed)
        case .finish(let packed, var meta):
            if onStoreThread { meta[MetaKey.storeCPUNs] = String(ThreadCPUTime.nanos()) }
            try writer.finish(packed: packed, meta: meta)
        case .stop: break
        }
    }
}
