import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds jobs handed to the delayed-enqueue hooks (`…WithDelay`, `…WithDeadline`) until they are due, then
/// hands each to `fire` (the tracing executor's global enqueue) on its own thread `tt-timer`.
///
/// Jobs are kept sorted by due time (CLOCK_MONOTONIC ns; ties keep arrival order). The thread starts with the first
/// job and sleeps until the earliest is due. Thread-safe: all state is behind `lock` (what `@unchecked Sendable`
/// relies on).
final class DelayedJobTimer: @unchecked Sendable {
    private struct Entry {
        var due: UInt64
        var job: UnownedJob
    }

    private let lock = ConditionLock()
    private var entries: [Entry] = []
    private var threadStarted = false
    private let fire: @Sendable (UnownedJob) -> Void

    init(fire: @escaping @Sendable (UnownedJob) -> Void) {
        self.fire = fire
    }

    /// Number of jobs waiting (for tests).
    var pendingCount: Int { lock.withLock { entries.count } }

    /// Runs `job` once `nanoseconds` have passed.
    func schedule(_ job: UnownedJob, afterNanoseconds nanoseconds: UInt64) {
        let due = TraceClock.monotonicNanos() &+ nanoseconds
        let startThread: Bool = lock.withLock {
            // Insert after every entry due no later than this one: FIFO among equal deadlines.
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].due <= due { low = middle + 1 } else { high = middle }
            }
            entries.insert(Entry(due: due, job: job), at: low)
            lock.signal()
            if threadStarted { return false }
            threadStarted = true
            return true
        }
        if startThread, !NamedThread.start(osName: "tt-timer", { [self] in loop() }) {
            // No thread for the timer: run the job now rather than never (it wakes early, which a sleep allows
            // only in the sense that its task sees time pass less; better than a hang).
            lock.withLock { threadStarted = false }
            drainAll()
        }
    }

    /// Nanoseconds until a deadline given on the runtime clock `clock` (1 continuous, 2 suspending), 0 if past
    /// or the clock is unknown.
    static func nanoseconds(untilSeconds seconds: Int64, nanoseconds: Int64, clock: Int32) -> UInt64 {
        var now = timespec()
        #if os(Linux)
        let clockID = clock == 1 ? CLOCK_BOOTTIME : CLOCK_MONOTONIC
        #else
        let clockID = clock == 1 ? CLOCK_MONOTONIC_RAW : CLOCK_UPTIME_RAW
        #endif
        guard clock == 1 || clock == 2, clock_gettime(clockID, &now) == 0 else { return 0 }
        let (secondsLeft, overflow1) = seconds.subtractingReportingOverflow(Int64(now.tv_sec))
        let (scaled, overflow2) = secondsLeft.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow3) = scaled.addingReportingOverflow(nanoseconds - Int64(now.tv_nsec))
        if overflow1 || overflow2 || overflow3 { return secondsLeft > 0 ? UInt64(Int64.max) : 0 }
        return total > 0 ? UInt64(total) : 0
    }

    private func loop() {
        while true {
            let due: [UnownedJob] = lock.withLock {
                while true {
                    let now = TraceClock.monotonicNanos()
                    guard let first = entries.first else {
                        lock.wait()
                        continue
                    }
                    if first.due <= now {
                        let ready = entries.prefix { $0.due <= now }.map(\.job)
                        entries.removeFirst(ready.count)
                        return ready
                    }
                    lock.wait(nanoseconds: first.due - now)
                }
            }
            for job in due { fire(job) }
        }
    }

    private func drainAll() {
        let all: [UnownedJob] = lock.withLock {
            defer { entries.removeAll() }
            return entries.map(\.job)
        }
        for job in all { fire(job) }
    }
}
