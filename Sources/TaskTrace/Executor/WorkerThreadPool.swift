/// Worker threads that outlive a recording: a thread whose run loop returned parks here, and the next executor that
/// asks for a thread of the same name gets it instead of a new one.
///
/// Why: glibc gives each new thread a malloc arena of its own (while older threads still hold theirs), and a new
/// arena's heap grows one page per `mprotect` as the program allocates on that thread, with a page fault behind each
/// page. In a recording of 100k group children, whose task objects the parent's worker allocates, that heap growth
/// was the largest difference to Swift's global executor, whose threads are long-lived and keep their grown heaps
/// (docs/performance.md, "Executor queue, second pass"). A parked thread keeps its arena, so the next recording
/// allocates into heaps that are already mapped.
///
/// Threads are keyed by their OS name (`tt-worker-1`…), so a reused thread keeps an exact name. A parked thread
/// sleeps on a condition (no CPU) and exits after `idleNanos` without work, so a program that records once does not
/// keep threads. A recording's workers return here only after their linger (500 ms after the recording ends, for
/// late jobs); a recording that starts before then gets new threads, as before.
///
/// Thread-safe: all state is behind `lock` (what `@unchecked Sendable` relies on).
final class WorkerThreadPool: @unchecked Sendable {
    /// The process's pool of tasktrace worker threads.
    static let shared = WorkerThreadPool()

    private let lock = ConditionLock()
    /// Parked threads per name (each waits for work under that name).
    private var parked: [String: Int] = [:]
    /// Work handed to parked threads and not yet taken, per name.
    private var handedOver: [String: [@Sendable () -> Void]] = [:]
    /// Threads this pool started and threads that left it after their idle time (for tests).
    private var started = 0
    private var exited = 0
    /// How long a parked thread waits for work before it exits.
    let idleNanos: UInt64

    init(idleNanos: UInt64 = 10_000_000_000) {
        self.idleNanos = idleNanos
    }

    /// Runs `body` on a parked thread named `osName`, or on a new thread of that name when none is free. Returns
    /// false when no thread was free and the system refused a new one (`body` then never runs).
    func start(osName: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let handed: Bool = lock.withLock {
            guard parked[osName, default: 0] > handedOver[osName, default: []].count else { return false }
            handedOver[osName, default: []].append(body)
            lock.broadcast()
            return true
        }
        if handed { return true }
        let first = FirstBody(body)
        let ok = NamedThread.start(osName: osName) { [self] in
            var work = first.take()
            while work != nil {
                // The body is released before the thread parks: a parked thread keeps nothing of the recording
                // it served (the body holds its executor).
                Self.runAndRelease(&work)
                work = park(osName)
            }
            lock.withLock { exited += 1 }
        }
        if ok { lock.withLock { started += 1 } }
        return ok
    }

    /// Threads of `osName` parked now (for tests).
    func parkedCount(_ osName: String) -> Int { lock.withLock { parked[osName, default: 0] } }

    /// Threads started by this pool, and those that have exited after their idle time (for tests).
    var threadCounts: (started: Int, exited: Int) { lock.withLock { (started, exited) } }

    /// Waits for work under `osName`; nil after `idleNanos` without any (the thread then exits).
    private func park(_ osName: String) -> (@Sendable () -> Void)? {
        lock.withLock {
            parked[osName, default: 0] += 1
            defer { parked[osName, default: 0] -= 1 }
            let deadline = TraceClock.monotonicNanos() &+ idleNanos
            while true {
                if var queue = handedOver[osName], !queue.isEmpty {
                    let work = queue.removeFirst()
                    handedOver[osName] = queue.isEmpty ? nil : queue
                    return work
                }
                let now = TraceClock.monotonicNanos()
                if now >= deadline { return nil }
                lock.wait(nanoseconds: deadline - now)
            }
        }
    }

    /// Runs `work` and leaves it nil; the only reference to the body while it runs is this function's own.
    private static func runAndRelease(_ work: inout (@Sendable () -> Void)?) {
        guard let body = work else { return }
        work = nil
        body()
    }

    /// A new thread's first body, handed over once so the thread's own closure does not keep it.
    /// `@unchecked Sendable`: `body` is behind `lock`.
    private final class FirstBody: @unchecked Sendable {
        private let lock = ConditionLock()
        private var body: (@Sendable () -> Void)?
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        func take() -> (@Sendable () -> Void)? {
            lock.withLock {
                defer { body = nil }
                return body
            }
        }
    }
}
