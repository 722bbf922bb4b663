import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a small spin lock, for the recorder's hot path (critical sections of a few tens of nanoseconds).
///
/// Taking a free lock is one inline compare-and-swap, releasing it one store. A thread that finds it taken polls
/// it (200 relaxed loads, the holder usually runs on the other core and is done within them), then yields its core
/// 64 times (the holder may be waiting for this core), then sleeps 20 µs between tries (the holder was preempted
/// for longer: a writer at nice +10, a machine with more threads than cores). No thread is ever woken by another,
/// so no wake-up can be lost; the cost is a waiter's sleep of up to 20 µs past the release in the rare last case.
///
/// Why not `Synchronization.Mutex`: on Linux it spins briefly and then sleeps in `FUTEX_LOCK_PI`, whose release
/// hands the lock to the sleeper, so when threads outnumber free cores every append waits for the woken thread to
/// be scheduled (a convoy: 4 threads 206–1,287 ns per event). Nor a glibc mutex: a function call each way costs
/// ~6 ns per event on one thread, and even the adaptive kind is slower under contention. Figures in
/// docs/performance.md. Not fair: a thread can take the lock again before a waiter; the buffer's order is by
/// acquisition anyway (the stamp is read inside the lock).
///
/// Thread-safe: that is its purpose. `@unchecked Sendable` because `locked` is what protects `value`.
final class HotPathLock<Value: ~Copyable>: @unchecked Sendable {
    private let locked = Atomic<Bool>(false)
    private var value: Value

    init(_ value: consuming Value) {
        self.value = value
    }

    /// Runs `body` with the lock held and the value lent to it. Not reentrant: `body` must not take this lock.
    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        if !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { lockContended() }
        defer { locked.store(false, ordering: .releasing) }
        return try body(&value)
    }

    /// Waits for the lock: polls, then yields, then sleeps between tries (see the type's comment).
    @inline(never)
    private func lockContended() {
        var round = 0
        while true {
            if !locked.load(ordering: .relaxed),
                locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
            {
                return
            }
            round += 1
            if round < Self.pollRounds { continue }
            if round < Self.pollRounds + Self.yieldRounds {
                sched_yield()
                continue
            }
            usleep(Self.sleepMicros)
        }
    }

    private static var pollRounds: Int { 200 }
    private static var yieldRounds: Int { 64 }
    private static var sleepMicros: UInt32 { 20 }
}
