import Synchronization
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The executor's run queue: a shared FIFO for jobs enqueued from outside the workers, plus one FIFO per worker for
/// the jobs that worker enqueues itself while it runs a job (a spawn, a `Task.yield()`, a continuation resumed).
///
/// Why a queue per worker: with one shared queue, two workers running a yield-heavy program spent about half their
/// time on its lock (`__lll_lock_wait`/`__lll_lock_wake` and the futex calls behind them were the largest symbols
/// of the workers' profile, docs/performance.md). A worker now pushes to and pops from its own queue under a lock
/// nobody else takes unless it steals; the shared queue's lock is taken only for jobs from other threads (timers,
/// the caller of `record`, blocking threads) and by idle workers.
///
/// Order and fairness: each queue is FIFO. A worker alternates which of the shared queue and its own it looks at
/// first, so neither a storm of yields nor a flood of timer wake-ups starves the other. A worker with nothing of
/// its own or shared steals the oldest jobs of another worker's queue (up to half, at most `stealBatch`), so a job
/// queued behind a worker that blocks still runs while any other worker is free. Stolen jobs keep their order.
///
/// Idle workers: a worker that finds nothing first polls for a moment outside the lock (`spinRounds` rounds of a
/// lock-free look and a `sched_yield`) before it sleeps on the condition; a push signals only when a worker is
/// asleep. Sleeping and pushing to a worker's own queue meet without a shared lock, Dekker style: the sleeper
/// counts itself in `sleepers` and then looks at every queue's length; the pusher stores its queue's length and
/// then looks at `sleepers` (all sequentially consistent), so at least one of them sees the other.
///
/// Jobs with a due time (a `Task.sleep`'s wake-up, see `TracingExecutor+Scheduling`) wait in a heap (`dueJobs`)
/// under the shared lock. A worker takes one that is due before anything else at each pop (one relaxed load while
/// none waits), and an idle worker sleeps only until the earliest due time; `DueJobBackstop` takes those every worker
/// stayed too busy for.
///
/// Also tracks whether recording is still on and how many recorded jobs are running (per worker, so finishing a job
/// writes only the worker's own counter), so the runtime can stop recording only after every running job has
/// reported its end. Thread-safe: the shared state is behind `lock` (what `@unchecked Sendable` relies on), each
/// worker's queue behind its own lock, and the atomics are documented where declared.
/// Generic over the job so tests can drive it with plain values (`JobQueueTests`); the executor uses `UnownedJob`.
///
/// Tried before and not kept: a lock-free bounded ring shared by all workers (see `JobQueueTests` and "Executor
/// queue, second pass" in docs/performance.md) — it removed the futex calls but every push and pop still met on
/// shared cells.
final class JobQueue<Job>: @unchecked Sendable {
    struct Item {
        var job: Job
        var taskID: TraceTaskID
        var recorded: Bool
        /// A default actor's job: tasks' code runs inside it (see `ThreadContext.inUntrackedJob`).
        var isActorJob = false
        /// Handed over by the global-executor hook (process capture): run on the generic executor, like the
        /// runtime's own global executor would, not as this task executor.
        var global = false
        /// Waited for its due time (`schedule`): a sleep's wake-up, which resumes the sleeping task.
        var wakeUp = false
    }

    /// One worker's own queue and counters. Its thread gets it from `join()` and passes it to `pop`, `finished` and
    /// the pushes it makes. Thread-safe: `jobs` is behind `lock`; the atomics are read by other workers; the rest is
    /// touched only by the owning thread. The stored properties skip Swift's dynamic exclusivity checks
    /// (`@exclusivity(unchecked)`): the lock or the owning thread already rules out overlapping access, and the checks
    /// were a measurable share of a one-worker yield-heavy body (docs/performance.md).
    final class Worker: @unchecked Sendable {
        fileprivate let queueID: ObjectIdentifier
        fileprivate let lock = ConditionLock()
        @exclusivity(unchecked) fileprivate var jobs = JobFIFO<Item>()
        /// `jobs.count`, stored under `lock`, read without it by thieves and by workers about to sleep.
        fileprivate let waiting = Atomic<Int>(0)
        /// Recorded jobs this worker took and has not finished (see `finished(_:on:)`).
        fileprivate let busy = Atomic<Int>(0)
        /// Owner only: which queue the next pop looks at first.
        @exclusivity(unchecked) fileprivate var sharedFirst = false
        /// Owner only: pops so far (for the periodic look at other workers' queues).
        @exclusivity(unchecked) fileprivate var pops = 0
        /// `pops`, published for the other workers' periodic look: a worker whose count stands still is stuck in
        /// a job.
        fileprivate let progress = Atomic<Int>(0)
        /// Owner only: each peer's `progress` at this worker's last periodic look.
        @exclusivity(unchecked) fileprivate var peersProgress: [Int] = []
        /// Owner only: the other workers as of `peersGeneration`, where to steal from.
        @exclusivity(unchecked) fileprivate var peers: [Worker] = []
        @exclusivity(unchecked) fileprivate var peersGeneration = -1
        @exclusivity(unchecked) fileprivate var nextVictim = 0
        /// Owner only: jobs stolen beyond the first, on their way into `jobs` (reused storage).
        @exclusivity(unchecked) fileprivate var stolen: [Item] = []

        fileprivate init(queueID: ObjectIdentifier) { self.queueID = queueID }

        /// Other workers this one still references (owner only; 0 once its `pop` returned nil, for tests).
        var heldPeers: Int { peers.count }
    }

    private let lock = ConditionLock()
    @exclusivity(unchecked) private var shared = JobFIFO<Item>()
    /// Every joined worker still in its loop (under `lock`), and a counter bumped whenever the list changes, so a
    /// worker refreshes its copy of its peers only then.
    @exclusivity(unchecked) private var workers: [Worker] = []
    private let workersGeneration = Atomic<Int>(0)
    /// Workers blocked in `lock.wait` (not those polling); changed under `lock`, read without it by pushes to a
    /// worker's own queue. Every push signals while one sleeps. Counting the wake-ups already sent, to signal only
    /// sleepers not yet woken, was tried and dropped: liveness then rests on every signal reaching a waiter (glibc
    /// before 2.41 can lose one, its bug 25847). Re-signalling costs little.
    private let sleepers = Atomic<Int>(0)
    /// `shared.count`, stored under the lock, read without it by workers choosing where to look (a hint only: the
    /// worker takes the lock and looks again).
    private let sharedWaiting = Atomic<Int>(0)
    /// Jobs waiting for a due time (`schedule`), under `lock`. `nextDue` is the earliest due time (`.max`: none),
    /// stored under the lock and read without it on every pop, so a program that never sleeps pays one load.
    @exclusivity(unchecked) private var dueJobs = DueJobHeap<Item>()
    private let nextDue = Atomic<UInt64>(.max)
    /// Rounds a worker polls an empty queue before it sleeps (0: sleep at once).
    let spinRounds: Int
    /// Whether jobs pushed now are recorded (under `lock`; `recordingFlag` mirrors it).
    private var recording = true
    private var onQuiet: (@Sendable () -> Void)?
    private var shuttingDown = false
    private var liveWorkers = 0

    /// Most jobs one steal takes from another worker's queue (it takes up to half of them).
    static var stealBatch: Int { 32 }

    /// A worker with work of its own still looks at the other workers' queues every this many pops: a job queued
    /// behind a worker stuck in a long job then waits at most this many of another worker's jobs.
    static var stealCheckInterval: Int { 32 }

    /// Rounds of polling before a worker sleeps, by default. Each round is one relaxed load per queue and one
    /// `sched_yield` (a few hundred nanoseconds to a microsecond here, longer when another thread takes the core),
    /// and polling also ends after `pollNanos` (50 µs): longer than the gap between the jobs of a busy program, far
    /// shorter than a timer's. Measured choice, see docs/performance.md.
    static var defaultSpinRounds: Int { 64 }

    /// How long an idle worker waits for more work after shutdown before it exits.
    let lingerNanos: UInt64

    init(spinRounds: Int = JobQueue.defaultSpinRounds, lingerNanos: UInt64 = JobQueue.lateLingerNanos) {
        self.spinRounds = max(0, spinRounds)
        self.lingerNanos = lingerNanos
    }

    /// Adds a job: to `worker`'s own queue when `worker` joined this queue, else to the shared queue; wakes one
    /// sleeping worker, if any. Returns false when no worker is alive to run it (after shutdown). Pass a `worker`
    /// only on its own thread (the executor passes the calling thread's `ThreadContext.ownJobs`): its queue's
    /// owner-only fields are not guarded.
    func push(
        _ job: Job, taskID: TraceTaskID, isActorJob: Bool = false, global: Bool = false, from worker: Worker? = nil
    ) -> Bool {
        if let worker, worker.queueID == ObjectIdentifier(self) {
            let item = Item(
                job: job, taskID: taskID, recorded: recordingFlag.load(ordering: .relaxed), isActorJob: isActorJob,
                global: global)
            appendOwn(CollectionOfOne(item), to: worker)
            return true
        }
        return lock.withLock {
            shared.append(Item(job: job, taskID: taskID, recorded: recording, isActorJob: isActorJob, global: global))
            sharedWaiting.store(shared.count, ordering: .relaxed)
            if sleepers.load(ordering: .relaxed) > 0 { lock.signal() }
            return liveWorkers > 0
        }
    }

    /// What `schedule` did with a job.
    enum Scheduled: Equatable {
        /// Queued; `first`: no other job was waiting for its time (the backstop may be idle and need a wake-up).
        case queued(first: Bool)
        /// No worker is alive to run it (after shutdown): the caller must time it elsewhere.
        case refused
    }

    /// Queues `job` to run once `CLOCK_MONOTONIC` reaches `due` (ns). A worker takes it, before any other job, at
    /// its first pop after that time (waking from its idle wait for it); the executor's backstop takes it if every
    /// worker stays busy past it (`takeOverdue`).
    func schedule(_ job: Job, due: UInt64) -> Scheduled {
        lock.withLock {
            guard liveWorkers > 0 else { return .refused }
            let first = dueJobs.isEmpty
            scheduledTotal += 1
            dueJobs.insert(Item(job: job, taskID: 0, recorded: false, wakeUp: true), due: due)
            if due < nextDue.load(ordering: .relaxed) {
                nextDue.store(due, ordering: .relaxed)
                // Sleeping workers wait for the earlier earliest due time, or for none: one must wait for this.
                if sleepers.load(ordering: .relaxed) > 0 { lock.signal() }
            }
            return .queued(first: first)
        }
    }

    /// The jobs still waiting for their due time once no worker is left (tasks sleeping past the end of the
    /// recording), with their due times, for the caller to time elsewhere; none while a worker is alive (it runs
    /// them when due). Call after `pop` returned nil.
    func takeDueJobsIfNoWorkers() -> [(due: UInt64, job: Job)] {
        lock.withLock {
            guard liveWorkers == 0, !dueJobs.isEmpty else { return [] }
            nextDue.store(.max, ordering: .relaxed)
            return dueJobs.removeAll().map { ($0.due, $0.item.job) }
        }
    }

    /// For the backstop: the earliest job that has been due for `grace` ns or more (every worker was busy since),
    /// or else how long until one would be (nil: no job waits for its time). Never while shutting down: the
    /// lingering workers and `takeDueJobsIfNoWorkers` see to the rest.
    func takeOverdue(grace: UInt64) -> (job: Job?, wait: UInt64?) {
        lock.withLock {
            guard !shuttingDown, let due = dueJobs.earliestDue else { return (nil, nil) }
            let now = TraceClock.monotonicNanos()
            if now >= due &+ grace, let item = takeDueLocked(now: now) { return (item.job, nil) }
            return (nil, due &+ grace &- min(now, due &+ grace))
        }
    }

    /// The earliest job due by now, if any (a lock-free look first: the clock is read only while jobs wait for a
    /// due time, the lock taken only when one is due).
    @inline(__always)
    private func takeDue() -> Item? {
        let due = nextDue.load(ordering: .relaxed)
        guard due != .max else { return nil }
        let now = TraceClock.monotonicNanos()
        guard due <= now else { return nil }
        return lock.withLock { takeDueLocked(now: now) }
    }

    /// Same, with the lock held.
    private func takeDueLocked(now: UInt64) -> Item? {
        guard let item = dueJobs.popDue(now: now) else { return nil }
        nextDue.store(dueJobs.earliestDue ?? .max, ordering: .relaxed)
        return item
    }

    /// How long an idle worker waits for more work after shutdown before it exits, by default.
    static var lateLingerNanos: UInt64 { 500_000_000 }

    /// Mirrors `recording` for the enqueue hot path, read without taking the lock.
    private let recordingFlag = Atomic<Bool>(true)

    /// Jobs waiting for their due time, and every job `schedule` ever queued (for tests).
    var dueJobCount: Int { lock.withLock { dueJobs.count } }
    var scheduledJobTotal: Int { lock.withLock { scheduledTotal } }
    @exclusivity(unchecked) private var scheduledTotal = 0

    /// Workers asleep on the condition (for tests that wait until every worker sleeps).
    var sleepingWorkerCount: Int { lock.withLock { sleepers.load(ordering: .relaxed) } }

    /// Whether jobs enqueued now are recorded (lock-free read).
    var isRecording: Bool { recordingFlag.load(ordering: .relaxed) }

    /// A worker joins.
    func workerStarted() { lock.withLock { liveWorkers += 1 } }

    /// A worker counted by `workerStarted()` could not be started after all.
    func workerFailedToStart() { lock.withLock { liveWorkers -= 1 } }

    /// Called on a worker's thread before its first `pop`: the worker's own queue, to pass to `pop`, `finished` and
    /// the pushes made on that thread.
    func join() -> Worker {
        let worker = Worker(queueID: ObjectIdentifier(self))
        lock.withLock {
            workers.append(worker)
            workersGeneration.add(1, ordering: .releasing)
        }
        return worker
    }

    /// Takes the next job for `worker`: its own or a shared one (alternating), else one stolen from another worker;
    /// polls briefly and then sleeps while there is none. Returns nil when shutting down and every queue is empty
    /// (the worker must then exit). A returned item with `recorded` counts as busy until `finished(_:on:)`.
    func pop(_ worker: Worker) -> Item? {
        var lingered = false
        var spun = false
        while true {
            // A job due now goes first: it only resumes a sleeping task (onto this worker's own queue).
            if let item = takeDue() { return item }
            if let item = takeOwnOrShared(worker) ?? steal(for: worker) { return started(item, on: worker) }
            lock.lock()
            if nextDue.load(ordering: .relaxed) != .max, let item = takeDueLocked(now: TraceClock.monotonicNanos()) {
                lock.unlock()
                return item
            }
            if let item = popShared() {
                lock.unlock()
                return started(item, on: worker)
            }
            if shuttingDown {
                // After the recording, tasks that outlive it still send jobs: linger a moment for the next
                // one instead of exiting at once and making every late job start a thread of its own.
                if !lingered {
                    lingered = true
                    sleep(nanoseconds: min(lingerNanos, nanosUntilNextDue()))
                    lock.unlock()
                    continue
                }
                liveWorkers -= 1
                workers.removeAll { $0 === worker }
                workersGeneration.add(1, ordering: .releasing)
                // Workers holding each other in `peers` would keep each other (and their queues' storage) alive.
                worker.peers = []
                worker.peersGeneration = -1
                lock.unlock()
                return nil
            }
            if !spun, spinRounds > 0 {
                // Not counted as sleeping, so pushes meanwhile send no signal; the lock is dropped while polling.
                spun = true
                lock.unlock()
                pollWhileEmpty(worker)
                continue
            }
            // The sleeper's side of the meeting with pushes to a worker's own queue (see the type's comment).
            sleepers.add(1, ordering: .sequentiallyConsistent)
            if !workers.contains(where: { $0.waiting.load(ordering: .sequentiallyConsistent) > 0 }) {
                if dueJobs.isEmpty { lock.wait() } else { lock.wait(nanoseconds: nanosUntilNextDue()) }
                spun = false
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            lock.unlock()
        }
    }

    /// The worker's own next job or the shared queue's, looking first at each in turn; nil when both seem empty.
    /// Every `stealCheckInterval`-th pop first steals from a worker that seems stuck (see `stealFromStuckPeer`).
    private func takeOwnOrShared(_ worker: Worker) -> Item? {
        worker.pops &+= 1
        worker.progress.store(worker.pops, ordering: .relaxed)
        if worker.pops % Self.stealCheckInterval == 0, let item = stealFromStuckPeer(for: worker) { return item }
        worker.sharedFirst.toggle()
        if worker.sharedFirst, let item = takeShared() { return item }
        if worker.waiting.load(ordering: .relaxed) > 0, let item = takeOwn(worker) { return item }
        return worker.sharedFirst ? nil : takeShared()
    }

    private func takeOwn(_ worker: Worker) -> Item? {
        worker.lock.withLock {
            let item = worker.jobs.popFirst()
            worker.waiting.store(worker.jobs.count, ordering: .relaxed)
            return item
        }
    }

    /// The shared queue's next job, taking the lock only when the queue seems not empty.
    private func takeShared() -> Item? {
        guard sharedWaiting.load(ordering: .relaxed) > 0 else { return nil }
        return lock.withLock { popShared() }
    }

    /// The shared queue's next job; call with the lock held.
    private func popShared() -> Item? {
        let item = shared.popFirst()
        sharedWaiting.store(shared.count, ordering: .relaxed)
        return item
    }

    /// The oldest job of another worker's queue, taking up to half of its jobs (at most `stealBatch`): the first is
    /// returned, the rest go to the back of `worker`'s own queue in their order. Victims are tried in turn, starting
    /// after the last one robbed. Never holds two workers' locks at once.
    private func steal(for worker: Worker) -> Item? {
        refreshPeers(worker)
        let peers = worker.peers
        guard !peers.isEmpty else { return nil }
        for offset in 0..<peers.count {
            let index = (worker.nextVictim + offset) % peers.count
            guard peers[index].waiting.load(ordering: .relaxed) > 0,
                let item = steal(for: worker, from: peers[index])
            else { continue }
            worker.nextVictim = (index + 1) % peers.count
            return item
        }
        return nil
    }

    /// Takes the oldest job of `victim`'s queue and moves up to half of the rest (at most `stealBatch` in all) to the
    /// back of `worker`'s own queue, in order; nil when the queue was empty after all.
    private func steal(for worker: Worker, from victim: Worker) -> Item? {
        let first: Item? = victim.lock.withLock {
            let take = min(Self.stealBatch, (victim.jobs.count + 1) / 2)
            let first = victim.jobs.popFirst()
            for _ in 1..<max(take, 1) {
                guard let item = victim.jobs.popFirst() else { break }
                worker.stolen.append(item)
            }
            victim.waiting.store(victim.jobs.count, ordering: .relaxed)
            return first
        }
        if !worker.stolen.isEmpty {
            // Like a push: a worker that went to sleep while these jobs were in transit (in no queue) is woken.
            appendOwn(worker.stolen, to: worker)
            worker.stolen.removeAll(keepingCapacity: true)
        }
        return first
    }

    /// Appends `items` to `worker`'s own queue, then wakes a sleeping worker if there is one (it may steal them):
    /// the pusher's side of the meeting with a sleeper's last look (see the type's comment).
    private func appendOwn(_ items: some Collection<Item>, to worker: Worker) {
        worker.lock.withLock {
            for item in items { worker.jobs.append(item) }
            worker.waiting.store(worker.jobs.count, ordering: .sequentiallyConsistent)
        }
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 { lock.withLock { lock.signal() } }
    }

    /// A worker busy with its own queue never runs out of work, so it would never steal: yet another worker may be
    /// stuck in a long job (a blocking call) while jobs wait in its queue. A peer with jobs waiting that took none
    /// since this worker's last look (`stealCheckInterval` pops ago) is robbed as an idle worker would rob it. Busy
    /// peers are left alone: robbing them every few pops made two workers of the yield-heavy body contend for each
    /// other's locks and lost most of what their own queues gained (measured, docs/performance.md).
    private func stealFromStuckPeer(for worker: Worker) -> Item? {
        refreshPeers(worker)
        for (index, peer) in worker.peers.enumerated() {
            let progress = peer.progress.load(ordering: .relaxed)
            defer { worker.peersProgress[index] = progress }
            guard progress == worker.peersProgress[index], peer.waiting.load(ordering: .relaxed) > 0 else { continue }
            if let item = steal(for: worker, from: peer) { return item }
        }
        return nil
    }

    /// Brings `worker.peers` up to date when workers joined or left since it was copied.
    private func refreshPeers(_ worker: Worker) {
        let generation = workersGeneration.load(ordering: .acquiring)
        guard generation != worker.peersGeneration else { return }
        lock.withLock {
            worker.peers = workers.filter { $0 !== worker }
            worker.peersProgress = Array(repeating: -1, count: worker.peers.count)
            worker.peersGeneration = workersGeneration.load(ordering: .relaxed)
        }
    }

    /// Marks a taken job busy if it is still recorded. Meets `stopRecording` Dekker style: this side counts the job
    /// and then reads the flag, stop clears the flag and then sums the counts (all sequentially consistent), so a
    /// job either counts in stop's sum or sees recording off and runs unrecorded.
    private func started(_ item: Item, on worker: Worker) -> Item {
        var item = item
        guard item.recorded else { return item }
        guard recordingFlag.load(ordering: .relaxed) else {
            item.recorded = false
            return item
        }
        worker.busy.add(1, ordering: .sequentiallyConsistent)
        if !recordingFlag.load(ordering: .sequentiallyConsistent) {
            item.recorded = false
            release(on: worker)
        }
        return item
    }

    /// Time left until the earliest due job (`.max`: none); call with the lock held.
    private func nanosUntilNextDue() -> UInt64 {
        guard let due = dueJobs.earliestDue else { return .max }
        let now = TraceClock.monotonicNanos()
        return due > now ? due - now : 0
    }

    /// Sleeps on the condition until signalled (or `nanoseconds` pass); call with the lock held.
    private func sleep(nanoseconds: UInt64?) {
        sleepers.add(1, ordering: .sequentiallyConsistent)
        if let nanoseconds { lock.wait(nanoseconds: nanoseconds) } else { lock.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Polls the queues without the lock for up to `spinRounds` rounds and `pollNanos`; returns as soon as a job
    /// seems to wait in the shared queue or another worker's. The time bound matters on a loaded machine, where one
    /// `sched_yield` can hand the core away for a whole time slice: the worker then sleeps properly instead, and a
    /// wake-up brings it back sooner.
    private func pollWhileEmpty(_ worker: Worker) {
        refreshPeers(worker)
        let start = TraceClock.monotonicNanos()
        for _ in 0..<spinRounds {
            if sharedWaiting.load(ordering: .relaxed) > 0 { return }
            for peer in worker.peers where peer.waiting.load(ordering: .relaxed) > 0 { return }
            sched_yield()
            let now = TraceClock.monotonicNanos()
            if now &- start > Self.pollNanos || nextDue.load(ordering: .relaxed) <= now { return }
        }
    }

    /// The longest a worker polls before it sleeps.
    static var pollNanos: UInt64 { 50_000 }

    /// `worker` finished running `item` (taken by its `pop`).
    func finished(_ item: Item, on worker: Worker) {
        guard item.recorded else { return }
        release(on: worker)
    }

    /// One recorded job of `worker` is over. The last one to end after recording stopped runs the quiet callback:
    /// this decrement then a load of the flag here, the flag's store then the counts' loads in `stopRecording`, all
    /// sequentially consistent, so at least one side sees the other. While recording (every job until the end) no
    /// lock is taken.
    private func release(on worker: Worker) {
        let remaining = worker.busy.subtract(1, ordering: .sequentiallyConsistent).newValue
        guard remaining == 0, !recordingFlag.load(ordering: .sequentiallyConsistent) else { return }
        let callback: (@Sendable () -> Void)? = lock.withLock {
            guard busyTotal == 0, let quiet = onQuiet else { return nil }
            onQuiet = nil
            return quiet
        }
        callback?()
    }

    /// Recorded jobs running on all workers; call with the lock held.
    private var busyTotal: Int {
        workers.reduce(0) { $0 + $1.busy.load(ordering: .sequentiallyConsistent) }
    }

    /// Stops recording: jobs taken from now on run unrecorded; `then` runs once no recorded job is running.
    func stopRecording(then: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            recording = false
            recordingFlag.store(false, ordering: .sequentiallyConsistent)
            if busyTotal == 0 { return true }
            onQuiet = then
            return false
        }
        if runNow { then() }
    }

    /// Asks workers to exit once the queue is empty.
    func shutdown() {
        lock.withLock {
            shuttingDown = true
            lock.broadcast()
        }
    }

    /// Revives the pool after shutdown when a late job arrived: returns true if the caller must start a worker.
    func claimRestart() -> Bool {
        lock.withLock {
            guard liveWorkers == 0, shared.count > 0 else { return false }
            liveWorkers += 1
            return true
        }
    }
}
