/// The thread (`tt-due`) that runs a job past its due time when every worker stayed busy: a worker stuck in a long
/// job (a blocking call on a one-worker loop) must not hide that the tasks it starves woke up. Their wake-up job,
/// run here, enqueues each sleeping task, so the trace shows it `scheduled` from about its due time (at most `grace`
/// later) for as long as the loop stays blocked — instead of `suspended` until the worker comes back, as if it still
/// slept. Workers take due jobs themselves whenever they can (`JobQueue.schedule`), so on a loop that is not
/// blocked this thread only wakes every `grace` to find nothing overdue, and sleeps while no job waits for a time.
///
/// Thread-safe: `wakeRequested` and `stopped` are behind `lock` (what `@unchecked Sendable` relies on). Lock order:
/// `JobQueue`'s lock, then this one (never the other way round).
final class DueJobBackstop: @unchecked Sendable {
    private let lock = ConditionLock()
    private var wakeRequested = false
    private var stopped = false
    private var started = false

    /// How long a due job may wait for a worker before this thread runs it.
    static let graceNanos: UInt64 = 1_000_000

    /// What one step of the thread did.
    enum Step {
        /// Ran an overdue job (look again at once).
        case ranOne
        /// Nothing overdue; the earliest job waiting would be overdue in this many ns.
        case nextOverdueIn(UInt64)
        /// No job waits for its time.
        case nothingWaits
    }

    /// Starts the thread on first use (a program that never sleeps never has it). Returns false if the system
    /// refused it: due jobs then wait for a worker, as they would for a busy event loop.
    /// - Parameter step: runs the earliest job overdue by `grace`, if any (`Step`).
    func startIfNeeded(step: @escaping @Sendable (_ grace: UInt64) -> Step) -> Bool {
        let start: Bool = lock.withLock {
            defer { started = true }
            return !started && !stopped
        }
        guard start else { return true }
        return NamedThread.start(osName: "tt-due") { [self] in loop(step) }
    }

    private func loop(_ step: @Sendable (_ grace: UInt64) -> Step) {
        while true {
            let wait: UInt64?
            switch step(Self.graceNanos) {
            case .ranOne: continue
            case .nextOverdueIn(let nanos): wait = nanos
            case .nothingWaits: wait = nil
            }
            let keepGoing: Bool = lock.withLock {
                if stopped { return false }
                if !wakeRequested {
                    // At least grace/4 while jobs wait: a due job the workers are about to take must not make this
                    // thread spin.
                    if let wait { lock.wait(nanoseconds: max(wait, Self.graceNanos / 4)) } else { lock.wait() }
                }
                wakeRequested = false
                return !stopped
            }
            if !keepGoing { return }
        }
    }

    /// A job now waits for its time where none did: the thread may be in its untimed wait.
    func wake() {
        lock.withLock {
            wakeRequested = true
            lock.signal()
        }
    }

    /// Lets the thread exit (the recording ended; lingering workers see to later due jobs).
    func stop() {
        lock.withLock {
            stopped = true
            lock.signal()
        }
    }
}
