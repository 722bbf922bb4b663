#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a plain (non-priority-inheriting) pthread mutex, for the recorder's hot path.
///
/// `Synchronization.Mutex` on Linux spins briefly and then sleeps in `FUTEX_LOCK_PI`: the kernel hands the lock
/// straight to the sleeper when it is released, so under contention every append waits for the woken thread to be
/// scheduled (a lock convoy). A glibc mutex lets the running thread take a free lock again at once, which is what a
/// critical section of a few tens of nanoseconds wants. Measured in docs/performance.md.
///
/// Thread-safe: that is its purpose. `@unchecked Sendable` because the pthread mutex is what protects `value`.
final class PlainMutex<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held and the value lent to it.
    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
