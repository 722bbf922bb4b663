import Glibc
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The executor's run queue on its own, driven with plain integers: producers push, worker threads pop as the
/// executor's run loop does. Each test runs with workers that sleep at once (`spinRounds: 0`) and with the default
/// polling, on one worker and on several. A lost job shows as a count that never completes: the tests wait for it
/// with a generous deadline (a liveness bound, not a speed check) and then fail instead of hanging.
/// Planted once each, and caught: a push that woke a sleeper only when two slept stranded the jobs on one worker
/// (0–2 of 1,200 ran in "bursts", 0 of 60,000 in "producers"); with an earlier design that counted wake-ups in
/// flight, a sleep that never took its wake off the count stranded jobs in all four "bursts" configurations; a
/// compaction that dropped one job more than it took (`removeFirst(head + 1)`) lost 3–9 jobs in every
/// "producers" and "shutdown" configuration; a push that put the new job at the head (LIFO) gave out-of-order
/// counts in every configuration.
@Suite("Job queue")
struct JobQueueTests {
    static let configurations: [(workers: Int, spinRounds: Int)] = [(1, 0), (1, 64), (4, 0), (4, 64)]

    /// Worker threads that pop until the queue says exit, noting every job they ran in order.
    final class Workers: @unchecked Sendable {  // `ran` and `exited` are behind `lock`
        let queue: JobQueue<Int>
        private let lock = ConditionLock()
        private var ran: [[Int]]
        private var exited = 0
        let count: Int

        init(queue: JobQueue<Int>, count: Int) {
            self.queue = queue
            self.count = count
            ran = Array(repeating: [], count: count)
        }

        /// Counts the workers as live (as `TracingExecutor.start` does) without starting them yet.
        func register() { for _ in 0..<count { queue.workerStarted() } }

        func start() -> Bool {
            for index in 0..<count {
                let started = NamedThread.start(osName: "tt-qtest-\(index)") { [self] in
                    while let item = queue.pop() {
                        lock.withLock {
                            ran[index].append(item.job)
                            lock.broadcast()
                        }
                        queue.finished(item)
                    }
                    lock.withLock {
                        exited += 1
                        lock.broadcast()
                    }
                }
                if !started { return false }
            }
            return true
        }

        /// Waits until `total` jobs ran (or the deadline passed); returns the jobs each worker ran, in its order.
        /// Polls with `Task.sleep`, so no thread of Swift's shared pool is blocked while the queue's threads work.
        func waitForJobs(_ total: Int, seconds: UInt64 = 20) async -> [[Int]] {
            await waitUntil(seconds: seconds) { ran.reduce(0, { $0 + $1.count }) >= total }
            return lock.withLock { ran }
        }

        /// Waits until every worker has left its loop (or the deadline passed); returns how many did.
        func waitForExit(seconds: UInt64 = 20) async -> Int {
            await waitUntil(seconds: seconds) { exited >= count }
            return lock.withLock { exited }
        }

        private func waitUntil(seconds: UInt64, _ done: () -> Bool) async {
            let deadline = TraceClock.monotonic.now() + seconds * 1_000_000_000
            while !lock.withLock(done), TraceClock.monotonic.now() < deadline {
                try? await Task.sleep(nanoseconds: 1_000_000)
            }
        }
    }

    /// Starts `producers` threads that each push `perProducer` jobs numbered `producer * perProducer + n`,
    /// optionally pausing every `pauseEvery` jobs (long enough for polling workers to fall asleep).
    static func produce(
        into queue: JobQueue<Int>, producers: Int, perProducer: Int, pauseEvery: Int = 0
    ) -> Bool {
        for producer in 0..<producers {
            let started = NamedThread.start(osName: "tt-qprod-\(producer)") {
                for n in 0..<perProducer {
                    _ = queue.push(producer * perProducer + n, taskID: TraceTaskID(producer + 1))
                    if pauseEvery > 0, n % pauseEvery == 0 { usleep(300) }
                }
            }
            if !started { return false }
        }
        return true
    }

    /// Every job ran exactly once, and each worker took each producer's jobs in the order they were pushed.
    static func expectExactlyOnceInOrder(_ ran: [[Int]], producers: Int, perProducer: Int) {
        let all = ran.flatMap { $0 }
        #expect(all.count == producers * perProducer, "ran \(all.count) of \(producers * perProducer) jobs")
        var seen = [Int](repeating: 0, count: producers * perProducer)
        for job in all where seen.indices.contains(job) { seen[job] += 1 }
        let wrong = seen.indices.filter { seen[$0] != 1 }
        let examples = wrong.prefix(5).map { ($0, seen[$0]) }
        #expect(wrong.count == 0, "\(wrong.count) jobs ran other than once, e.g. (job, runs) \(examples)")
        for (worker, jobs) in ran.enumerated() {
            var last = [Int](repeating: -1, count: producers)
            var outOfOrder = 0
            for job in jobs {
                let producer = job / perProducer
                guard last.indices.contains(producer) else { continue }
                if job < last[producer] { outOfOrder += 1 }
                last[producer] = job
            }
            #expect(outOfOrder == 0, "worker \(worker) took \(outOfOrder) jobs before an earlier one of its producer")
        }
    }

    @Test("N producers × M workers: every job runs exactly once, in queue order per worker", arguments: configurations)
    func producersAndWorkers(_ configuration: (workers: Int, spinRounds: Int)) async {
        let queue = JobQueue<Int>(spinRounds: configuration.spinRounds, lingerNanos: 1_000_000)
        let workers = Workers(queue: queue, count: configuration.workers)
        workers.register()
        #expect(workers.start())
        let producers = 3
        let perProducer = 20_000
        #expect(Self.produce(into: queue, producers: producers, perProducer: perProducer))
        let ran = await workers.waitForJobs(producers * perProducer)
        Self.expectExactlyOnceInOrder(ran, producers: producers, perProducer: perProducer)
        queue.shutdown()
        #expect(await workers.waitForExit() == configuration.workers)
    }

    @Test("bursts with pauses: sleeping workers are always woken for the next job", arguments: configurations)
    func sleepingWorkersAreWoken(_ configuration: (workers: Int, spinRounds: Int)) async {
        let queue = JobQueue<Int>(spinRounds: configuration.spinRounds, lingerNanos: 1_000_000)
        let workers = Workers(queue: queue, count: configuration.workers)
        workers.register()
        #expect(workers.start())
        let producers = 2
        let perProducer = 600
        #expect(Self.produce(into: queue, producers: producers, perProducer: perProducer, pauseEvery: 3))
        let ran = await workers.waitForJobs(producers * perProducer)
        Self.expectExactlyOnceInOrder(ran, producers: producers, perProducer: perProducer)
        queue.shutdown()
        #expect(await workers.waitForExit() == configuration.workers)
    }

    @Test("shutdown with jobs still queued: they all run before the workers exit", arguments: configurations)
    func shutdownDrainsTheQueue(_ configuration: (workers: Int, spinRounds: Int)) async {
        let queue = JobQueue<Int>(spinRounds: configuration.spinRounds, lingerNanos: 1_000_000)
        let workers = Workers(queue: queue, count: configuration.workers)
        workers.register()
        let total = 5_000
        for job in 0..<total { #expect(queue.push(job, taskID: 1)) }
        queue.shutdown()
        #expect(workers.start())
        #expect(await workers.waitForExit() == configuration.workers)
        Self.expectExactlyOnceInOrder(await workers.waitForJobs(total), producers: 1, perProducer: total)
    }

    @Test("a job pushed after every worker exited is reported, and a restarted worker runs it", arguments: [0, 64])
    func lateJobRestartsAWorker(_ spinRounds: Int) async {
        let queue = JobQueue<Int>(spinRounds: spinRounds, lingerNanos: 1_000_000)
        let workers = Workers(queue: queue, count: 2)
        workers.register()
        #expect(workers.start())
        queue.shutdown()
        #expect(await workers.waitForExit() == 2)
        #expect(!queue.push(7, taskID: 1))
        #expect(queue.claimRestart())
        #expect(!queue.claimRestart())  // one restart is enough
        let late = Workers(queue: queue, count: 1)  // counted by claimRestart
        #expect(late.start())
        #expect(await late.waitForJobs(1) == [[7]])
        #expect(await late.waitForExit() == 1)
    }

    @Test("recorded jobs: stop waits for the running ones, and jobs taken after stop are unrecorded")
    func stopRecordingWaitsForBusyJobs() {
        let queue = JobQueue<Int>(spinRounds: 0, lingerNanos: 1_000_000)
        queue.workerStarted()
        #expect(queue.push(1, taskID: 1))
        #expect(queue.push(2, taskID: 2))
        let first = queue.pop()
        #expect(first?.recorded == true)
        let quiet = Atomic<Int>(0)
        queue.stopRecording { quiet.add(1, ordering: .relaxed) }
        #expect(quiet.load(ordering: .relaxed) == 0)  // job 1 still runs
        let second = queue.pop()
        #expect(second?.recorded == false)
        if let second { queue.finished(second) }
        #expect(quiet.load(ordering: .relaxed) == 0)
        if let first { queue.finished(first) }
        #expect(quiet.load(ordering: .relaxed) == 1)
    }
}
