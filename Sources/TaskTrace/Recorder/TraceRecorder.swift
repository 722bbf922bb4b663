import Synchronization
import TaskTraceModel
import TaskTraceStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one recording: the event buffer the hot path appends to, and the named writer thread
/// (`tasktrace-writer`) that drains it at least every flush interval, derives rows and hands them to the sink.
///
/// Thread-safe: `append` and the `record…` methods may be called from any thread; the deriver and the sink are
/// touched only by the writer thread.
final class TraceRecorder: Sendable {
    /// Identity of this recorder in `ThreadContext.owner` (process-unique, never 0).
    let id: UInt64
    let buffer: EventBuffer
    let sink: any TraceSink
    let configuration: TraceConfiguration
    /// The runtime's job and task lookups (see `JobIdentity`).
    let identity: JobIdentity

    private struct WriterState {
        var stopping = false
        var wakeRequested = false
        var stopped: (@Sendable (StopResult) -> Void)?
    }

    /// What the writer reports when it has finished the trace.
    struct StopResult: Sendable {
        var sinkError: (any Error)?
        var dropped: UInt64
        var skipped: Int
        var transitions: Int
        /// The integrity counters as written to `meta` (see `TraceIntegrity`).
        var integrity: [String: String] = [:]
    }

    private let wake: ConditionLock
    /// Set (under `wake`) by the half-full callback so a wake sent while the writer is busy is not lost.
    private final class WakeFlag: @unchecked Sendable { var pending = false }
    private let wakeFlag: WakeFlag
    /// Protected by `wake`.
    private nonisolated(unsafe) var writerState = WriterState()
    private let nextThreadID = Atomic<UInt32>(1)
    private let nextSyntheticID = Atomic<UInt64>(0)

    private static let nextRecorderID = Atomic<UInt64>(1)
    private static let nextToken = Atomic<UInt64>(1)

    init(sink: any TraceSink, configuration: TraceConfiguration) {
        id = Self.nextRecorderID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.sink = sink
        self.configuration = configuration
        identity = configuration.identity
        let wake = ConditionLock()
        self.wake = wake
        let wakeFlag = WakeFlag()
        self.wakeFlag = wakeFlag
        buffer = EventBuffer(
            capacity: configuration.bufferCapacity, payloadCapacity: configuration.payloadCapacity,
            clock: configuration.clock
        ) {
            wake.withLock {
                wakeFlag.pending = true
                wake.signal()
            }
        }
    }

    // MARK: - Producers

    /// Appends a hot-path event.
    @inline(__always)
    func append(_ event: RawEvent) { buffer.append(event) }

    /// Appends a hot-path event that must not be lost: waits for room like an API event.
    func appendWaitingForRoom(_ event: RawEvent) { buffer.appendWaitingForRoom(event) }

    /// Appends an API event.
    func append(_ payload: EventPayload, thread: TraceThreadID = 0) { buffer.append(payload, thread: thread) }

    /// Announces a thread this recorder is about to start and returns its trace id. Called by the starting thread,
    /// so the thread is in the trace even if the OS runs it only after a short recording has ended.
    func announceThread(name: String, kind: ThreadKind, waitForRoom: Bool = true) -> TraceThreadID {
        let threadID = nextThreadID.wrappingAdd(1, ordering: .relaxed).oldValue
        buffer.append(.thread(ThreadRecord(id: threadID, name: name, kind: kind)), thread: threadID, waitForRoom: waitForRoom)
        return threadID
    }

    /// Makes the calling thread the announced thread `threadID` of this recorder (sets its context).
    func adoptCurrentThread(_ threadID: TraceThreadID) {
        let context = ThreadContext.current
        context.owner = id
        context.threadID = threadID
        context.currentTask = 0
    }

    /// Announces and adopts the calling thread in one step (a thread that registers itself).
    func registerCurrentThread(name: String, kind: ThreadKind, waitForRoom: Bool = true) -> TraceThreadID {
        let threadID = announceThread(name: name, kind: kind, waitForRoom: waitForRoom)
        adoptCurrentThread(threadID)
        return threadID
    }

    /// Announces a task the runtime is about to create and runs `create`, which must create it on this thread
    /// (`Task.init` and `TaskGroup.addTask` enqueue the first job synchronously): that first enqueue carries the
    /// token, which ties the task's id to `record` (name, kind, site; parent = the calling task unless given).
    /// - Returns: what `create` returned and the new task's id (0 if its id could not be read).
    func withSpawnToken<R>(_ record: TaskRecord, _ create: () -> R) -> (R, TraceTaskID) {
        let token = makeToken()
        var record = record
        if record.parentID == nil {
            let parent = currentTask
            record.parentID = parent == 0 ? nil : parent
        }
        append(.spawn(token: token, record: record))
        let context = ThreadContext.current
        context.pendingSpawnToken = token
        context.spawnedTaskID = 0
        let created = create()
        context.pendingSpawnToken = 0
        return (created, context.spawnedTaskID)
    }

    /// Registers a lane that is not one OS thread (the main actor's jobs, run by whichever thread drains the main
    /// queue): a `threads` row with a fresh id. The thread running a lane's job borrows that id meanwhile.
    func registerLane(name: String, kind: ThreadKind) -> TraceThreadID {
        announceThread(name: name, kind: kind)
    }

    /// A fresh spawn token (process-unique, never 0).
    func makeToken() -> UInt64 { Self.nextToken.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// A task id for work that is not a Swift task (blocking pool): `2^48 + n`, far above Swift's task ids.
    func makeSyntheticTaskID() -> TraceTaskID {
        TaskIDText.blockingIDBase + nextSyntheticID.wrappingAdd(1, ordering: .relaxed).oldValue + 1
    }

    /// The task running on the calling thread: the task whose job this recording's worker runs, or else the
    /// current Swift task (code on a default actor, or on a thread outside the runtime). 0 when there is none.
    /// The deriver keeps it as a parent or requester only when it is a task of this trace.
    var currentTask: TraceTaskID {
        let fromJob = ThreadContext.current.currentTask(ownedBy: id)
        return fromJob != 0 ? fromJob : identity.currentTaskID()
    }

    /// The calling thread's id in this trace, or 0.
    var currentThread: TraceThreadID {
        let context = ThreadContext.current
        return context.owner == id ? context.threadID : 0
    }

    /// Records how the running task's wrapper ended; applied at the end of the task's current job.
    func recordOutcome(task: TraceTaskID, _ result: Result<some Any, any Error>) {
        guard task != 0 else { return }
        switch result {
        case .success:
            append(.outcome(task: task, state: .done, error: nil))
        case .failure(let error) where error is CancellationError:
            append(.outcome(task: task, state: .cancelled, error: nil))
        case .failure(let error):
            append(.outcome(task: task, state: .errored, error: String(describing: error)))
        }
    }

    // MARK: - Writer

    /// Starts the writer thread and writes the starting `meta`. Returns false when the thread cannot be started.
    func start(meta: [String: String]) -> Bool {
        let writerID = announceThread(name: "tasktrace-writer", kind: .external, waitForRoom: false)
        return NamedThread.start(osName: "tt-writer") { [self] in
            adoptCurrentThread(writerID)
            Self.yieldCPUToWorkers()
            writerLoop(startMeta: meta)
        }
    }

    /// Asks the writer to flush everything, finish the sink with `meta` (plus `dropped_events`), and stop.
    func stop(meta: [String: String]) async -> StopResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<StopResult, Never>) in
            stop(meta: meta) { continuation.resume(returning: $0) }
        }
    }

    /// Same, reporting to `then` on the writer thread (for callers that cannot await: the process-exit handler).
    func stop(meta: [String: String], then: @escaping @Sendable (StopResult) -> Void) {
        finalMeta.withLock { $0 = meta }
        wake.withLock {
            writerState.stopping = true
            writerState.stopped = then
            wake.signal()
        }
    }

    private let finalMeta = Mutex<[String: String]>([:])

    /// The most events derived into one batch (one sink write, one transaction).
    static let eventsPerWrite = 1 << 16

    /// How long the writer sleeps before its next flush, after one that drained `events`: `lightLoadFlushNanos`
    /// (or `interval`, if shorter) when the program recorded only a trickle — more than none, fewer than
    /// `lightLoadEvents` —, else `interval`. Short bursts of writer work every 2 ms slowed a program that waits
    /// less than bursts every 10 ms (the crawler-shaped benchmark: `overhead_realistic_vs_global_2w` 1.062–1.075 →
    /// 1.036–1.053 in four pairs), while for a busy program every 2 ms added to the writer's CPU and to the
    /// backlog left at the end (100k trivial children: tail ~50 → ~60 ms), and an idle one would wake the writer
    /// 500 times a second for nothing (docs/performance.md).
    static func flushWait(afterDraining events: Int, interval: UInt64) -> UInt64 {
        events > 0 && events < lightLoadEvents ? min(lightLoadFlushNanos, interval) : interval
    }

    static let lightLoadFlushNanos: UInt64 = 2_000_000
    /// A drain below this is a trickle: the crawler-shaped program records ~400 events in 2 ms, 100k trivial
    /// children ~6,000 (and a backlog comes in parts of `eventsPerWrite`).
    static let lightLoadEvents = 4_096

    /// Niceness of the writer thread: the program's workers win every contended core, the writer takes the idle
    /// time (a traced program runs closer to its untraced speed; the rows are written while it waits or after).
    static let writerNiceness: Int32 = 10

    /// Lowers the calling thread's scheduling priority to `writerNiceness` (the writer's, and the write-ahead
    /// thread's). Best effort. On Linux the nice value is per thread, and `setpriority(PRIO_PROCESS, 0, …)` applies
    /// to the calling thread only.
    static func yieldCPUToWorkers() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, writerNiceness)
        #endif
    }

    private func writerLoop(startMeta: [String: String]) {
        var deriver = TraceDeriver()
        var events: [RawEvent] = []
        events.reserveCapacity(buffer.capacity)
        var payloads: [EventPayload] = []
        var lostTasks: [TraceTaskID] = []
        lostTasks.reserveCapacity(EventBuffer.lostCapacity)
        var sinkError: (any Error)?
        do { try sink.begin(meta: startMeta) } catch { sinkError = error }
        var dropped: UInt64 = 0
        var writeAhead: SinkWriteAhead?
        var writeAheadRefused = false
        var wait = configuration.flushIntervalNanos
        while true {
            let stopping = wake.withLock { () -> Bool in
                if !writerState.stopping, !wakeFlag.pending {
                    wake.wait(nanoseconds: wait)
                }
                wakeFlag.pending = false
                return writerState.stopping
            }
            // Read after `stopping` is seen: every producer finished before stop was requested. The last drain
            // closes the buffer and waits for appends in flight, so nothing can slip in between and vanish.
            //
            // A backlog (the writer fell behind a busy program, above all at the end of a body that kept every
            // core busy) is drained, derived and written in parts of at most `eventsPerWrite` events: the arrays
            // then stay a few MiB, in the cache and reused (page faults on arrays grown by a whole backlog were the
            // writer's largest single cost on the yield-heavy workload, perf), and when a drain says more is ready,
            // another thread writes each part (the first one too) while this one drains and derives the next.
            var ahead: SinkWriteAhead?
            var more = true
            var drained = 0
            while more {
                let counts = buffer.drain(
                    into: &events, payloads: &payloads, lostTasks: &lostTasks, close: stopping,
                    limit: Self.eventsPerWrite)
                drained += events.count
                dropped = counts.dropped
                more = counts.more
                if more, ahead == nil, sinkError == nil {
                    if writeAhead == nil, !writeAheadRefused {
                        // Refused (no thread to be had): the backlog is written inline, and no thread asked for again.
                        writeAhead = SinkWriteAhead.start(sink: sink)
                        writeAheadRefused = writeAhead == nil
                    }
                    ahead = writeAhead
                }
                deriver.consume(events, payloads: payloads, lostTasks: lostTasks)
                if stopping, !more {
                    // Not before the last stamp handed out (`now()` guarantees it).
                    deriver.finish(at: buffer.now())
                }
                let batch = deriver.takeBatch()
                if let ahead {
                    var handedBack = ahead.submit(consume batch)
                    if sinkError == nil { sinkError = handedBack.error }
                    if let done = handedBack.done.take() { deriver.recycle(consume done) }
                } else {
                    if sinkError == nil {
                        do { try batch.isEmpty ? sink.idle() : sink.write(batch) } catch { sinkError = error }
                    }
                    deriver.recycle(consume batch)
                }
                // A program that outruns the writer must not keep the stop request waiting: close now instead.
                if more, !stopping, wake.withLock({ writerState.stopping }) { break }
            }
            if let ahead {
                // Every part is written before the next drain's first write (or the sink's `finish`).
                var handedBack = ahead.finish()
                if sinkError == nil { sinkError = handedBack.error }
                if let done = handedBack.done.take() { deriver.recycle(consume done) }
            }
            if stopping { break }
            wait = Self.flushWait(afterDraining: drained, interval: configuration.flushIntervalNanos)
        }
        writeAhead?.close()
        var meta = finalMeta.withLock { $0 }
        let integrity: [String: String] = [
            MetaKey.droppedEvents: String(dropped),
            MetaKey.skippedEvents: String(deriver.skippedEvents),
            MetaKey.reorderedEvents: String(deriver.reorderedEvents),
            MetaKey.reconstructedTransitions: String(deriver.reconstructedTransitions),
            // Counted up to the moment the file is finished; later events have no file to be counted in.
            MetaKey.lateEvents: String(buffer.lateEvents),
        ]
        meta[MetaKey.writerCPUNs] = String(ThreadCPUTime.nanos() &+ (writeAhead?.cpuNanos ?? 0))
        meta.merge(integrity) { _, new in new }
        if sinkError == nil {
            do { try sink.finish(meta: meta) } catch { sinkError = error }
        }
        let result = StopResult(
            sinkError: sinkError, dropped: dropped, skipped: deriver.skippedEvents,
            transitions: deriver.transitionCount, integrity: integrity
        )
        let stopped = wake.withLock { writerState.stopped }
        stopped?(result)
    }
}
