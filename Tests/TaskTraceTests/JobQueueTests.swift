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
/// (0–2 of 1,200 ran in "bursts", 0 of 60,000 in "producers"; "a push while every worker sleeps" failed on 1
/// worker, with and without polling); with an earlier design that counted wake-ups in flight, a sleep that never
/// took its wake off the count stranded jobs in all four "bursts" configurations; a compaction that dropped one job
/// more than it took (`removeFirst(head + 1)`) lost 3–9 jobs in every "producers" and "shutdown" configuration; a
/// push that put the new job at the head (LIFO) gave out-of-order counts in every configuration; a pop that did not
/// count a recorded job busy let the quiet callback run while recorded jobs still ran (and recorded jobs start
/// after it) in every "stop while producers push" configuration. A quiet callback left in place after it ran was
/// not caught here: with this queue the busy count cannot return to zero twice after the stop, so nothing calls it
/// again (the lock-free ring tried on this branch could, and this test caught it there; see docs/performance.md).
@Suite("Job queue")
struct JobQueueTests {
    /// Workers and polling rounds of one run.
    struct Configuration: Sendable, CustomStringConvertible {
        var workers: Int
        var spinRounds: Int

        var description: String { "\(workers) workers, spin \(spinRounds)" }

        func makeQueue() -> JobQueue<Int> { JobQueue<Int>(spinRounds: spinRounds, lingerNanos: 1_000_000) }
    }

    static let configurations: [Configuration] = [
        Configuration(workers: 1, spinRounds: 0), Configuration(workers: 1, spinRounds: 64),
        Configuration(workers: 4, spinRounds: 0), Configuration(workers: 4, spinRounds: 64),
    ]

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
                    let worker = queue.join()
                    while let item = queue.pop(worker) {
                        lock.withLock {
                            ran[index].append(item.job)
                            lock.broadcast()
                        }
                        queue.finished(item, on: worker)
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
            _ = await eventually(seconds: seconds, pollNanos: 1_000_000) {
                lock.withLock { ran.reduce(0, { $0 + $1.count }) >= total }
            }
            return lock.withLock { ran }
        }

        /// Waits until every worker has left its loop (or the deadline passed); returns how many did.
        func waitForExit(seconds: UInt64 = 20) async -> Int {
            _ = await eventually(seconds: seconds, pollNanos: 1_000_000) { lock.withLock { exited >= count } }
            return lock.withLock { exited }
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
    func producersAndWorkers(_ configuration: Configuration) async {
        await Self.expectProducedJobsRunOnce(configuration, producers: 3, perProducer: 20_000)
    }

    @Test("bursts with pauses: sleeping workers are always woken for the next job", arguments: configurations)
    func sleepingWorkersAreWoken(_ configuration: Configuration) async {
        await Self.expectProducedJobsRunOnce(configuration, producers: 2, perProducer: 600, pauseEvery: 3)
    }

    /// Started workers, producers pushing (pausing every `pauseEvery` jobs when given), then: every job ran exactly
    /// once in its producer's order, and every worker left after shutdown.
    static func expectProducedJobsRunOnce(
        _ configuration: Configuration, producers: Int, perProducer: Int, pauseEvery: Int = 0
    ) async {
        let queue = configuration.makeQueue()
        let workers = Workers(queue: queue, count: configuration.workers)
        workers.register()
        #expect(workers.start())
        #expect(produce(into: queue, producers: producers, perProducer: perProducer, pauseEvery: pauseEvery))
        let ran = await workers.waitForJobs(producers * perProducer)
        expectExactlyOnceInOrder(ran, producers: producers, perProducer: perProducer)
        queue.shutdown()
        #expect(await workers.waitForExit() == configuration.workers)
    }

    @Test("shutdown with jobs still queued: they all run before the workers exit", arguments: configurations)
    func shutdownDrainsTheQueue(_ configuration: Configuration) async {
        let queue = configuration.makeQueue()
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
        let worker = queue.join()
        #expect(queue.push(1, taskID: 1))
        #expect(queue.push(2, taskID: 2))
        let first = queue.pop(worker)
        #expect(first?.recorded == true)
        let quiet = Atomic<Int>(0)
        queue.stopRecording { quiet.add(1, ordering: .relaxed) }
        #expect(quiet.load(ordering: .relaxed) == 0)  // job 1 still runs
        let second = queue.pop(worker)
        #expect(second?.recorded == false)
        if let second { queue.finished(second, on: worker) }
        #expect(quiet.load(ordering: .relaxed) == 0)
        if let first { queue.finished(first, on: worker) }
        #expect(quiet.load(ordering: .relaxed) == 1)
    }

    @Test(
        "a push while every worker sleeps wakes one, round after round",
        arguments: [
            Configuration(workers: 1, spinRounds: 0), Configuration(workers: 1, spinRounds: 64),
            Configuration(workers: 4, spinRounds: 0), Configuration(workers: 4, spinRounds: 64),
        ]
    )
    func pushWakesASleepingPool(_ configuration: Configuration) async {
        let queue = configuration.makeQueue()
        let workers = Workers(queue: queue, count: configuration.workers)
        workers.register()
        #expect(workers.start())
        let rounds = 40
        var stranded = 0
        for round in 0..<rounds {
            // Every worker registered as a sleeper: none is polling, so only a wake-up can bring one back.
            let allAsleep = await eventually { queue.sleepingWorkerCount == configuration.workers }
            #expect(allAsleep, "round \(round): not every worker went to sleep")
            // Pushed from a thread of the test's own (no worker), one job or a small burst on alternate rounds.
            let burst = round % 2 == 0 ? 1 : 3
            for n in 0..<burst { #expect(queue.push(round * 10 + n, taskID: 1)) }
            let expected = (0...round).reduce(0) { $0 + ($1 % 2 == 0 ? 1 : 3) }
            let ran = await workers.waitForJobs(expected, seconds: 10)
            if ran.reduce(0, { $0 + $1.count }) < expected {
                stranded += 1
                break
            }
        }
        #expect(stranded == 0, "a job pushed while every worker slept was never run")
        queue.shutdown()
        #expect(await workers.waitForExit() == configuration.workers)
    }

    /// Workers that run recorded jobs with a little work each and note, at the quiet callback, how many recorded
    /// jobs were still between their pop and their `finished`.
    final class RecordingHarness: @unchecked Sendable {  // the counters are atomics; `threads` only on the test's task
        let queue: JobQueue<Int>
        let inFlightRecorded = Atomic<Int>(0)
        let ranRecorded = Atomic<Int>(0)
        let ran = Atomic<Int>(0)
        let callbacks = Atomic<Int>(0)
        let inFlightAtCallback = Atomic<Int>(-1)
        let recordedAfterCallback = Atomic<Int>(0)
        let exited = Atomic<Int>(0)

        init(queue: JobQueue<Int>) { self.queue = queue }

        /// Jobs numbered from here are follow-ups a worker queued on its own queue.
        static let followUpBase = 1_000_000

        func start(workers: Int) -> Bool {
            for index in 0..<workers {
                queue.workerStarted()
                let started = NamedThread.start(osName: "tt-qrec-\(index)") { [self] in
                    let worker = queue.join()
                    while let item = queue.pop(worker) {
                        if item.recorded {
                            inFlightRecorded.add(1, ordering: .sequentiallyConsistent)
                            if callbacks.load(ordering: .sequentiallyConsistent) > 0 {
                                recordedAfterCallback.add(1, ordering: .relaxed)
                            }
                        }
                        var spin = 0
                        for n in 0..<(item.job % 7) * 50 { spin &+= n }
                        if spin == -1 { sched_yield() }
                        if item.recorded {
                            ranRecorded.add(1, ordering: .relaxed)
                            inFlightRecorded.subtract(1, ordering: .sequentiallyConsistent)
                        }
                        // Every third recorded job queues a follow-up on this worker's own queue (as a spawn or
                        // a yield does), so stopping also meets jobs taken from workers' queues and stolen ones.
                        if item.job % 3 == 0, item.job < Self.followUpBase {
                            _ = queue.push(Self.followUpBase + item.job, taskID: 9, from: worker)
                        }
                        ran.add(1, ordering: .relaxed)
                        queue.finished(item, on: worker)
                    }
                    exited.add(1, ordering: .relaxed)
                }
                if !started { return false }
            }
            return true
        }

        /// The quiet callback: counts itself and notes the recorded jobs still running (must be none).
        func quiet() {
            inFlightAtCallback.store(inFlightRecorded.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
            callbacks.add(1, ordering: .sequentiallyConsistent)
        }
    }

    @Test(
        "stop while producers push and workers run: the quiet callback runs exactly once, after the last recorded job",
        arguments: [
            Configuration(workers: 1, spinRounds: 64), Configuration(workers: 2, spinRounds: 64),
            Configuration(workers: 4, spinRounds: 0), Configuration(workers: 4, spinRounds: 64),
        ]
    )
    func quietCallbackOnceUnderConcurrency(_ configuration: Configuration) async {
        for attempt in 0..<25 {
            let queue = configuration.makeQueue()
            let harness = RecordingHarness(queue: queue)
            #expect(harness.start(workers: configuration.workers))
            let producers = 3
            let perProducer = 400
            #expect(Self.produce(into: queue, producers: producers, perProducer: perProducer))
            // Stop somewhere in the middle of the stream (a different point each attempt).
            _ = await eventually { harness.ran.load(ordering: .relaxed) >= attempt * 40 }
            queue.stopRecording { harness.quiet() }
            let total = producers * perProducer + (0..<producers * perProducer).filter { $0 % 3 == 0 }.count
            let allRan = await eventually { harness.ran.load(ordering: .relaxed) == total }
            #expect(allRan, "attempt \(attempt): \(harness.ran.load(ordering: .relaxed)) jobs ran")
            let called = await eventually(seconds: 10) { harness.callbacks.load(ordering: .relaxed) > 0 }
            #expect(called, "attempt \(attempt): the quiet callback never ran")
            queue.shutdown()
            _ = await eventually { harness.exited.load(ordering: .relaxed) == configuration.workers }
            #expect(harness.callbacks.load(ordering: .relaxed) == 1, "attempt \(attempt): callback count")
            #expect(harness.inFlightAtCallback.load(ordering: .relaxed) == 0, "attempt \(attempt): jobs running")
            #expect(harness.recordedAfterCallback.load(ordering: .relaxed) == 0, "attempt \(attempt): recorded late")
            #expect(!queue.isRecording)
        }
    }
}
