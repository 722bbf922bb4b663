@_spi(ExperimentalScheduling) import _Concurrency
import Dispatch

/// `Task.sleep` on the tracing executor: the runtime hands the sleep's wake-up job to the task's executor when that
/// executor can schedule (`SchedulingExecutor`, SPI in Swift 6.3), so the job waits in the executor's own queue
/// (`JobQueue.schedule`) and a worker runs it when due — between two jobs, or woken from its idle wait for it.
///
/// Without this the wake-up went to the global executor's Dispatch timer, whose thread then enqueued the task
/// here: two thread wake-ups per sleep instead of at most one, which a sleep-heavy program (the crawler-shaped
/// benchmark) paid on every request (docs/performance.md). The trace is the same either way: the task is
/// `suspended` while it sleeps and `scheduled` when the wake-up job resumes it.
@_spi(ExperimentalScheduling) extension TracingExecutor: SchedulingExecutor {
    public func enqueue<C: Clock>(
        _ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C
    ) {
        let unownedJob = UnownedJob(job)
        guard let delay = clock.now.duration(to: instant) as? Duration else {
            sleepThenPush(unownedJob, until: instant, clock: clock)
            return
        }
        schedule(unownedJob, after: delay)
    }

    public func enqueue<C: Clock>(
        _ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C
    ) {
        let unownedJob = UnownedJob(job)
        guard let delay = delay as? Duration else {
            sleepThenPush(unownedJob, until: clock.now.advanced(by: delay), clock: clock)
            return
        }
        schedule(unownedJob, after: delay)
    }
}

extension TracingExecutor {
    /// Queues the job to run after `delay` (a negative one: now) on this executor's workers, or, once they are
    /// gone (the recording ended), on a Dispatch timer that enqueues it here then.
    private func schedule(_ job: UnownedJob, after delay: Duration) {
        let due = TraceClock.monotonicNanos() &+ delay.saturatingNanoseconds
        switch queue.schedule(job, due: due) {
        case .queued(let first):
            if first, backstop.startIfNeeded(step: runOverdueJob) { backstop.wake() }
        case .refused:
            pushLate([(due, job)])
        }
    }

    /// The backstop's step: runs the earliest job overdue by `grace`, if any.
    @Sendable private func runOverdueJob(grace: UInt64) -> DueJobBackstop.Step {
        let (job, wait) = queue.takeOverdue(grace: grace)
        if let job {
            job.runSynchronously(on: asUnownedTaskExecutor())
            return .ranOne
        }
        return wait.map { .nextOverdueIn($0) } ?? .nothingWaits
    }

    /// Hands jobs that still wait for their due time to Dispatch timers, each pushed onto this executor when due
    /// (a late job, after the recording: `push` starts a thread for it if no worker is left).
    func pushLate(_ jobs: [(due: UInt64, job: UnownedJob)]) {
        guard !jobs.isEmpty else { return }
        let now = TraceClock.monotonicNanos()
        for (due, job) in jobs {
            let wait = due > now ? Int(clamping: due - now) : 0
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(wait)) { [self] in
                push(job, taskID: 0, isActorJob: false, global: false, context: ThreadContext.current)
            }
        }
    }

    /// A clock whose durations are not `Duration` (none of the standard ones): let the clock itself wait, on a
    /// task of the global executor, then queue the job.
    private func sleepThenPush<C: Clock>(_ job: UnownedJob, until instant: C.Instant, clock: C) {
        Task.detached { [self] in
            try? await clock.sleep(until: instant, tolerance: nil)
            push(job, taskID: 0, isActorJob: false, global: false, context: ThreadContext.current)
        }
    }
}
