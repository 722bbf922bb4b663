#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable, for queues whose consumers sleep until work arrives.
///
/// `Synchronization.Mutex` has no condition variable, hence this small wrapper. The mutex and condition live in
/// heap memory that never moves. Thread-safe: that is its purpose; `@unchecked Sendable` because the pthread
/// objects themselves are the protection.
final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Takes the mutex; pair with `unlock()` on the same thread. For loops that drop the mutex in the middle (a
    /// worker that spins outside it before sleeping); prefer `withLock` elsewhere.
    func lock() { pthread_mutex_lock(mutex) }

    /// Releases the mutex taken by `lock()`.
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for a signal; call only with the mutex held (inside `withLock`).
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Waits for a signal or until `nanoseconds` pass; call only with the mutex held.
    func wait(nanoseconds: UInt64) {
        var deadline = timespec()
        #if canImport(Glibc)
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        #else
        clock_gettime(CLOCK_REALTIME, &deadline)
        #endif
        // Saturating: a wait of years is a wait of about a century, never an overflow trap.
        let (total, overflow) = UInt64(deadline.tv_nsec).addingReportingOverflow(min(nanoseconds, 1 << 62))
        let seconds = overflow ? Int.max / 2 : Int(total / 1_000_000_000)
        deadline.tv_sec = deadline.tv_sec.addingReportingOverflow(seconds).overflow ? Int.max / 2 : deadline.tv_sec + seconds
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_cond_timedwait(condition, mutex, &deadline)
    }

    /// Wakes one waiter.
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter.
    func broadcast() { pthread_cond_broadcast(condition) }
}
