#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a glibc adaptive mutex (no priority inheritance), for the recorder's hot path.
///
/// `Synchronization.Mutex` on Linux spins briefly and then sleeps in `FUTEX_LOCK_PI`: the kernel hands the lock
/// straight to the sleeper when it is released, so when the threads outnumber the free cores every append waits
/// for the woken thread to be scheduled (a lock convoy). A glibc mutex lets the running thread take a free lock
/// again at once. The adaptive kind (`PTHREAD_MUTEX_ADAPTIVE_NP`) also spins a little before it sleeps, which a
/// critical section of a few tens of nanoseconds wants when the holder runs on another core: the default kind,
/// which sleeps at once, was twice as slow as `Synchronization.Mutex` on an idle machine. Measured in
/// docs/performance.md.
///
/// Thread-safe: that is its purpose. `@unchecked Sendable` because the pthread mutex is what protects `value`.
final class PlainMutex<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
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
