import Glibc
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The pool of worker threads that outlive a recording (`WorkerThreadPool`), on its own pools (never the shared
/// one, which recordings in other suites use). A lost body shows as a count that never completes: the tests wait
/// with a generous deadline (a liveness bound, not a speed check).
/// Planted: a thread that kept its first body for its whole life (captured by the thread's closure) failed "a
/// parked thread keeps nothing"; a parked thread that never took the work handed to it (the hand-over counted, the body never run)
/// failed "a parked thread runs the next body" and "bodies run exactly once". Not caught: a hand-over that ignored
/// the work already handed to parked threads (`parked > 0` instead of `parked > handedOver.count`) — a parked
/// thread then takes the surplus after its current body, so every body still runs once, only with less
/// parallelism than asked (no test here measures parallelism).
@Suite("Worker thread pool")
struct WorkerThreadPoolTests {
    @Test("a parked thread runs the next body of its name: the same thread, no new one")
    func parkedThreadIsReused() async {
        let pool = WorkerThreadPool(idleNanos: 30_000_000_000)
        let first = Atomic<UInt>(0)
        let second = Atomic<UInt>(0)
        #expect(pool.start(osName: "tt-ptest-a") { first.store(UInt(pthread_self()), ordering: .sequentiallyConsistent) })
        #expect(await eventually { pool.parkedCount("tt-ptest-a") == 1 })
        #expect(pool.start(osName: "tt-ptest-a") { second.store(UInt(pthread_self()), ordering: .sequentiallyConsistent) })
        #expect(await eventually { second.load(ordering: .sequentiallyConsistent) != 0 })
        #expect(first.load(ordering: .sequentiallyConsistent) == second.load(ordering: .sequentiallyConsistent))
        #expect(pool.threadCounts.started == 1)
        // Another name never takes it.
        let other = Atomic<UInt>(0)
        #expect(await eventually { pool.parkedCount("tt-ptest-a") == 1 })
        #expect(pool.start(osName: "tt-ptest-b") { other.store(UInt(pthread_self()), ordering: .sequentiallyConsistent) })
        #expect(await eventually { other.load(ordering: .sequentiallyConsistent) != 0 })
        #expect(other.load(ordering: .sequentiallyConsistent) != first.load(ordering: .sequentiallyConsistent))
    }

    @Test("bodies started from several threads at once, some on parked threads, run exactly once each")
    func bodiesRunExactlyOnce() async {
        let pool = WorkerThreadPool(idleNanos: 30_000_000_000)
        let bodies = 64
        final class Runs: @unchecked Sendable {  // `counts` is behind `lock`
            private let lock = ConditionLock()
            private var counts: [Int]
            init(_ count: Int) { counts = Array(repeating: 0, count: count) }
            func add(_ index: Int) { lock.withLock { counts[index] += 1 } }
            func count(_ index: Int) -> Int { lock.withLock { counts[index] } }
        }
        let counted = Runs(bodies)
        let started = Atomic<Int>(0)
        for wave in 0..<4 {
            // Each wave starts 16 bodies from 4 threads at once; later waves find parked threads.
            for starter in 0..<4 {
                let ok = NamedThread.start(osName: "tt-pstart-\(starter)") {
                    for n in 0..<4 {
                        let index = wave * 16 + starter * 4 + n
                        if pool.start(osName: "tt-ptest-\(n % 2)", { counted.add(index) }) {
                            started.add(1, ordering: .relaxed)
                        }
                    }
                }
                #expect(ok)
            }
            let waveDone = await eventually {
                (0..<(wave + 1) * 16).allSatisfy { counted.count($0) > 0 }
            }
            #expect(waveDone, "wave \(wave): a body never ran")
        }
        #expect(started.load(ordering: .relaxed) == bodies)
        let wrong = (0..<bodies).filter { counted.count($0) != 1 }
        #expect(wrong.isEmpty, "bodies run other than once: \(wrong)")
    }

    @Test("a parked thread exits after its idle time; the next body gets a new thread")
    func idleThreadExits() async {
        let pool = WorkerThreadPool(idleNanos: 20_000_000)
        let ran = Atomic<Int>(0)
        #expect(pool.start(osName: "tt-ptest-idle") { ran.add(1, ordering: .relaxed) })
        #expect(await eventually { ran.load(ordering: .relaxed) == 1 })
        // The thread parks, finds no work for its idle time, and leaves (whatever the test's own scheduling).
        #expect(await eventually { pool.threadCounts.exited == 1 })
        #expect(pool.parkedCount("tt-ptest-idle") == 0)
        #expect(pool.start(osName: "tt-ptest-idle") { ran.add(1, ordering: .relaxed) })
        #expect(await eventually { ran.load(ordering: .relaxed) == 2 })
        #expect(pool.threadCounts.started == 2)
    }

    final class Token: Sendable {}

    @Test("a parked thread keeps nothing of the body it ran (its recording's executor is freed)")
    func parkedThreadReleasesItsBody() async {
        let pool = WorkerThreadPool(idleNanos: 30_000_000_000)
        weak var weakToken: Token?
        let ran = Atomic<Int>(0)
        do {
            let token = Token()
            weakToken = token
            #expect(pool.start(osName: "tt-ptest-rel") { if ObjectIdentifier(token) != ObjectIdentifier(Token.self) { ran.add(1, ordering: .relaxed) } })
        }
        #expect(await eventually { ran.load(ordering: .relaxed) == 1 && pool.parkedCount("tt-ptest-rel") == 1 })
        #expect(await eventually { weakToken == nil }, "the parked thread still holds the body")
    }
}
