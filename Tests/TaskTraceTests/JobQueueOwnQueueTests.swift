import Glibc
import Synchronization
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The run queue's per-worker queues: jobs a worker queues while running a job (as a spawn, a `Task.yield()` or a
/// resumed continuation does) go to its own queue. Driven with plain integers and a job body that may queue more
/// jobs from the worker, on one worker and on several, with and without polling. Expected values come from what
/// the test's own jobs did (which jobs they queued, on which thread they ran), never from the queue's counters.
@Suite("Job queue: workers' own queues")
struct JobQueueOwnQueueTests {
    /// Worker threads that run each job through `body` (which may queue more jobs on the worker's own queue) and
    /// note which worker ran which job, in order.
    final class Pool: @unchecked Sendable {  // `ran` and `exited` are behind `lock`
        let queue: JobQueue<Int>
        let count: Int
        private let lock = ConditionLock()
        private var ran: [[Int]]
        private var exited = 0
        /// Other workers' queues the exited workers still referenced (each a possible retain cycle).
        private var peersHeldAtExit = 0
        /// Every worker's own queue, weakly: gone once its worker left (nothing else may keep it).
        private var joined: [Weak] = []
        private let body: @Sendable (Int, JobQueue<Int>.Worker) -> Void

        init(queue: JobQueue<Int>, count: Int, body: @escaping @Sendable (Int, JobQueue<Int>.Worker) -> Void) {
            self.queue = queue
            self.count = count
            self.body = body
            ran = Array(repeating: [], count: count)
        }

        func start() -> Bool {
            for index in 0..<count {
                queue.workerStarted()
                let started = NamedThread.start(osName: "tt-qown-\(index)") { [self] in
                    let worker = queue.join()
                    lock.withLock { joined.append(Weak(worker)) }
                    while let item = queue.pop(worker) {
                        lock.withLock { ran[index].append(item.job) }
                        body(item.job, worker)
                        queue.finished(item, on: worker)
                    }
                    let peers = worker.heldPeers
                    lock.withLock {
                        exited += 1
                        peersHeldAtExit += peers
                    }
                }
                if !started { return false }
            }
            return true
        }

        final class Weak: @unchecked Sendable {  // set once, before it is shared
            weak var worker: JobQueue<Int>.Worker?
            init(_ worker: JobQueue<Int>.Worker) { self.worker = worker }
        }

        var peersHeld: Int { lock.withLock { peersHeldAtExit } }

        /// Own queues of workers that left and are still alive (a leak).
        var leakedWorkers: Int { lock.withLock { joined.filter { $0.worker != nil }.count } }

        var jobsRan: [[Int]] { lock.withLock { ran } }
        var total: Int { lock.withLock { ran.reduce(0) { $0 + $1.count } } }

        /// Shuts the queue down and waits until every worker left its loop; true when all did.
        func stop() async -> Bool {
            queue.shutdown()
            return await eventually { lock.withLock { exited == count } }
        }
    }

    static let configurations = JobQueueTests.configurations

    @Test("jobs queued by workers run exactly once; one worker takes its own jobs in the order it queued them", arguments: configurations)
    func ownJobsRunOnceInOrder(_ configuration: JobQueueTests.Configuration) async {
        // 40 roots from the test's thread; root r queues 300 children r * 1000 + 1…300 on its worker's own queue,
        // and every tenth child queues one grandchild (child + 500): a fan-out like a task group's.
        let roots = 40
        let children = 300
        let queue = configuration.makeQueue()
        let pool = Pool(queue: queue, count: configuration.workers) { job, worker in
            if job % 1000 == 0 {
                for n in 1...children { _ = queue.push(job + n, taskID: 1, from: worker) }
            } else if job % 1000 <= children, job % 10 == 0 {
                _ = queue.push(job + 500, taskID: 1, from: worker)
            }
        }
        #expect(pool.start())
        for root in 0..<roots { #expect(queue.push(root * 1000, taskID: 1)) }
        let expected = roots * (1 + children + children / 10)
        let done = await eventually { pool.total >= expected }
        #expect(done, "ran \(pool.total) of \(expected) jobs")
        #expect(await pool.stop())
        // Workers that stole from each other held each other in their lists of peers: dropped when they left, and
        // every own queue freed?
        #expect(pool.peersHeld == 0, "workers left holding \(pool.peersHeld) references to other workers")
        #expect(await eventually(seconds: 5) { pool.leakedWorkers == 0 }, "\(pool.leakedWorkers) own queues outlived their workers")

        let ran = pool.jobsRan
        let all = ran.flatMap { $0 }
        var expectedJobs: [Int] = []
        for root in 0..<roots {
            expectedJobs.append(root * 1000)
            for n in 1...children {
                expectedJobs.append(root * 1000 + n)
                if n % 10 == 0 { expectedJobs.append(root * 1000 + n + 500) }
            }
        }
        #expect(all.sorted() == expectedJobs.sorted(), "a job was lost or ran twice")
        // One worker: one root's children ran in the order they were queued. (With several, a worker may steal a
        // later stretch from one queue and then an earlier one from a thief's queue; each queue stays FIFO.)
        for (index, jobs) in ran.enumerated() where configuration.workers == 1 {
            var last: [Int: Int] = [:]
            var outOfOrder = 0
            for job in jobs where job % 1000 != 0 && job % 1000 <= children {
                if let previous = last[job / 1000], previous > job { outOfOrder += 1 }
                last[job / 1000] = job
            }
            #expect(outOfOrder == 0, "worker \(index) took \(outOfOrder) children before an earlier sibling")
        }
    }

    @Test("a job queued by a worker that then blocks is run by another worker", arguments: [0, 64])
    func blockedWorkersJobIsStolen(_ spinRounds: Int) async {
        let queue = JobQueue<Int>(spinRounds: spinRounds, lingerNanos: 1_000_000)
        let childRanOn = Atomic<Int>(0)
        let blockerRanOn = Atomic<Int>(0)
        let pool = Pool(queue: queue, count: 2) { job, worker in
            let thread = Int(bitPattern: UInt(pthread_self()))
            if job == 1 {
                blockerRanOn.store(thread, ordering: .sequentiallyConsistent)
                _ = queue.push(2, taskID: 1, from: worker)
                // Blocks this worker until its own child has run (up to 10 s): only another worker can run it.
                let deadline = TraceClock.monotonicNanos() + 10_000_000_000
                while childRanOn.load(ordering: .sequentiallyConsistent) == 0, TraceClock.monotonicNanos() < deadline {
                    usleep(200)
                }
            } else {
                childRanOn.store(thread, ordering: .sequentiallyConsistent)
            }
        }
        #expect(pool.start())
        // Both workers asleep first (or polling, without spin 0), so the child's push must wake the other one.
        if spinRounds == 0 { #expect(await eventually { queue.sleepingWorkerCount == 2 }) }
        #expect(queue.push(1, taskID: 1))
        #expect(await eventually(seconds: 15) { pool.total == 2 })
        let child = childRanOn.load(ordering: .sequentiallyConsistent)
        #expect(child != 0, "the blocked worker's child never ran")
        #expect(child != blockerRanOn.load(ordering: .sequentiallyConsistent), "the child waited for its blocked worker")
        #expect(await pool.stop())
    }

    @Test("a job queued behind a blocked worker runs even while the other worker keeps queueing its own jobs")
    func blockedWorkersJobIsStolenFromABusyPeer() async {
        // Job 1 queues job 3 and then job 2 on its own queue and blocks until job 2 ran. The other worker steals
        // job 3 (half of two), which re-queues itself on its new worker until job 2 ran: that worker is never idle,
        // yet job 2 must not wait for job 1's 10 s block.
        let queue = JobQueue<Int>(spinRounds: 64, lingerNanos: 1_000_000)
        let job2Ran = Atomic<Bool>(false)
        let waitedNanos = Atomic<UInt64>(0)
        let pool = Pool(queue: queue, count: 2) { job, worker in
            switch job {
            case 1:
                _ = queue.push(3, taskID: 1, from: worker)
                _ = queue.push(2, taskID: 1, from: worker)
                let start = TraceClock.monotonicNanos()
                while !job2Ran.load(ordering: .sequentiallyConsistent), TraceClock.monotonicNanos() - start < 10_000_000_000 {
                    usleep(200)
                }
                waitedNanos.store(TraceClock.monotonicNanos() - start, ordering: .relaxed)
            case 2:
                job2Ran.store(true, ordering: .sequentiallyConsistent)
            default:
                if !job2Ran.load(ordering: .sequentiallyConsistent) { _ = queue.push(3, taskID: 1, from: worker) }
            }
        }
        #expect(pool.start())
        #expect(queue.push(1, taskID: 1))
        #expect(await eventually(seconds: 15) { job2Ran.load(ordering: .sequentiallyConsistent) })
        #expect(await eventually { waitedNanos.load(ordering: .relaxed) > 0 })
        let waited = Double(waitedNanos.load(ordering: .relaxed)) / 1e9
        // A liveness bound, not a speed check: the block lasts 10 s when nobody takes job 2.
        #expect(waited < 5, "job 2 waited \(waited) s behind its blocked worker")
        #expect(await pool.stop())
    }

    @Test("one worker: a job from another thread is not starved by jobs the worker keeps queueing (a yield storm)")
    func sharedJobsAreNotStarved() async {
        // Job 1 starts a chain: each link queues the next on the worker's own queue, like a task that keeps
        // yielding. At link 100 a thread of the test's own (no worker) pushes job 2 while the link waits for that
        // push; job 2 must then run within two links. (A plain thread, not the test's task: in a loaded parallel
        // test run the task was not scheduled for over 10 s once, and job 2 came after the whole chain.)
        let queue = JobQueue<Int>(spinRounds: 0, lingerNanos: 1_000_000)
        let links = 2_000
        let pushed = Atomic<Bool>(false)
        let pusherStarted = Atomic<Bool>(true)
        let pool = Pool(queue: queue, count: 1) { job, worker in
            guard job == 1 || job >= 10 else { return }
            let link = job == 1 ? 10 : job
            if link == 110 {
                let started = NamedThread.start(osName: "tt-qext") {
                    _ = queue.push(2, taskID: 2)
                    pushed.store(true, ordering: .sequentiallyConsistent)
                }
                pusherStarted.store(started, ordering: .relaxed)
                let deadline = TraceClock.monotonicNanos() + 10_000_000_000
                while started, !pushed.load(ordering: .sequentiallyConsistent), TraceClock.monotonicNanos() < deadline {
                    usleep(100)
                }
            }
            if link < 10 + links { _ = queue.push(link + 1, taskID: 1, from: worker) }
        }
        #expect(pool.start())
        #expect(queue.push(1, taskID: 1))
        #expect(await eventually { pool.total == links + 2 })
        #expect(await pool.stop())
        let hadPusher = pusherStarted.load(ordering: .relaxed)
        let didPush = pushed.load(ordering: .sequentiallyConsistent)
        #expect(hadPusher, "no thread for the pusher")
        #expect(didPush)
        let order = pool.jobsRan[0]
        let position = order.firstIndex(of: 2) ?? order.count
        let linkBefore = order[..<position].filter { $0 >= 10 }.max() ?? 0
        #expect(linkBefore <= 112, "job 2 ran only after link \(linkBefore - 10) (pushed at link 100)")
    }

    @Test("one worker: a job it queued itself is not starved by a flood of jobs from another thread")
    func ownJobsAreNotStarved() async {
        // 2,000 jobs from the test's thread; the first one queues job 1 on the worker's own queue, which must run
        // within the next two jobs, not after the flood.
        let queue = JobQueue<Int>(spinRounds: 0, lingerNanos: 1_000_000)
        let flood = 2_000
        let pool = Pool(queue: queue, count: 1) { job, worker in
            if job == 10 { _ = queue.push(1, taskID: 1, from: worker) }
        }
        for job in 10..<(10 + flood) { _ = queue.push(job, taskID: 2) }  // no worker counted yet: false, queued
        #expect(pool.start())
        #expect(await eventually { pool.total == flood + 1 })
        #expect(await pool.stop())
        let order = pool.jobsRan[0]
        let position = order.firstIndex(of: 1) ?? order.count
        #expect(position <= 3, "the worker's own job ran at position \(position) of \(order.count)")
    }
}
