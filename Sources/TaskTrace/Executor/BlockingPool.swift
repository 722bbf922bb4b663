import TaskTraceModel

/// The blocking-work pool behind `TraceRuntime.toThread`: plain threads `tasktrace-blocking-1…N`, separate from
/// the executor's workers, so blocking calls do not starve async tasks.
///
/// Thread-safe: all state is behind `lock` (what `@unchecked Sendable` relies on).
final class BlockingPool: @unchecked Sendable {
    typealias Work = @Sendable (TraceThreadID) -> Void

    private let lock = ConditionLock()
    private var items: [Work] = []
    private var shuttingDown = false
    private let recorder: TraceRecorder
    let threadCount: Int

    init(threads: Int, recorder: TraceRecorder) {
        threadCount = max(1, threads)
        self.recorder = recorder
    }

    func start() {
        var started = 0
        for index in 1...threadCount {
            let threadID = recorder.announceThread(name: "tasktrace-blocking-\(index)", kind: .blocking)
            let ok = NamedThread.start(osName: "tt-blocking-\(index)") { [self] in
                recorder.adoptCurrentThread(threadID)
                while let work = next() { work(threadID) }
            }
            if ok { started += 1 }
        }
        // No pool thread could be started: every submission takes the late path (a thread of its own, or the
        // caller's thread), so `toThread` still completes instead of waiting forever.
        if started == 0 { lock.withLock { shuttingDown = true } }
    }

    /// Queues `work`; it receives the trace id of the thread that runs it.
    func submit(_ work: @escaping Work) {
        let late: Bool = lock.withLock {
            if shuttingDown { return true }
            items.append(work)
            lock.signal()
            return false
        }
        // After shutdown the pool's threads may all have exited: give late work a thread of its own.
        if late, !NamedThread.start(osName: "tt-blocking-late", { work(0) }) { work(0) }
    }

    private func next() -> Work? {
        lock.withLock {
            while items.isEmpty {
                if shuttingDown { return nil }
                lock.wait()
            }
            return items.removeFirst()
        }
    }

    /// Threads exit once the queue is empty.
    func shutdown() {
        lock.withLock {
            shuttingDown = true
            lock.broadcast()
        }
    }
}
