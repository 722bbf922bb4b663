import Synchronization

/// Measures the recorder's hot path in isolation, for the benchmark suite (`Benchmarks/`), not for programs.
///
/// A traced program's own timings mix the hot path with the executor's queue and the writer competing for the
/// cores; this times only what a worker pays per event — the clock read (the recording's default clock,
/// `TraceClock.fastest`) plus the append into its thread's log of an `EventBuffer` — from `threads` threads
/// appending at once, so any contention between workers shows directly.
/// Nothing is written anywhere and no writer thread runs. Thread-safe: each call uses its own buffer and threads.
@_spi(Benchmarks)
public enum HotPathProbe {
    /// Appends `eventsPerThread` job-start events from each of `threads` threads started together into a fresh
    /// buffer large enough to hold them all (so none is dropped), and returns the mean nanoseconds one append took
    /// on its thread (each thread's elapsed time divided by its events, averaged over the threads).
    ///
    /// Memory: each thread's log reserves `eventsPerThread × 40` bytes (rounded up to a power of two), backed only
    /// as it fills.
    /// - Returns: nil when a thread could not be started.
    public static func nanosPerEvent(threads: Int, eventsPerThread: Int) -> Double? {
        let threadCount = max(1, threads)
        let perThread = max(1, eventsPerThread)
        let buffer = EventBuffer(
            capacity: perThread + 16, payloadCapacity: 16, clock: .fastest, onHalfFull: {}
        )
        let ready = Atomic<Int>(0)
        let results = Mutex<[Double]>([])
        let done = ConditionLock()
        for index in 1...threadCount {
            let started = NamedThread.start(osName: "tt-probe-\(index)") {
                ready.add(1, ordering: .acquiringAndReleasing)
                while ready.load(ordering: .acquiring) < threadCount {}
                let begin = buffer.clock.now()
                for _ in 0..<perThread {
                    buffer.append(RawEvent(kind: .jobStart, task: 42, thread: UInt32(index)))
                }
                let elapsed = Double(buffer.clock.now() - begin)
                done.withLock {
                    results.withLock { $0.append(elapsed / Double(perThread)) }
                    done.signal()
                }
            }
            if !started {
                // Release the threads already waiting at the start line; their results are ignored.
                ready.add(threadCount, ordering: .acquiringAndReleasing)
                return nil
            }
        }
        return done.withLock { () -> Double in
            while results.withLock({ $0.count }) < threadCount { done.wait() }
            let all = results.withLock { $0 }
            return all.reduce(0, +) / Double(all.count)
        }
    }
}
