import TaskTraceModel
import TaskTraceStore

/// Turns the raw event stream into trace rows: per-task state, legal transitions, task records, marks.
///
/// Runs on the writer thread only (not thread-safe; owned by `TraceRecorder`'s writer). Every transition it
/// emits is checked with `TaskState.canTransition(to:)`; per-task timestamps never go backwards (a timestamp
/// earlier than the task's last one is raised to it). An event that would break the machine is skipped and
/// counted in `skippedEvents` (possible only after dropped events or a runtime behaviour change).
///
/// How states are derived:
/// - enqueue of an unseen task: `created` then `scheduled` (same timestamp). Tasks started by the runtime's API
///   are matched to their name/kind/site by the spawn token their first enqueue carries.
/// - job start: `running` with the worker thread. job end: `suspended`, or the terminal state if the task's
///   wrapper reported its outcome during that job.
/// - tasks captured automatically (no wrapper) are deferred at a job end: the next enqueue turns the deferred end
///   into `suspended` + `scheduled`; if instead their structured parent ends, the deferred end becomes `done`
///   (`cancelled` when cancellation was requested for it or an ancestor). See docs/runtime.md.
struct TraceDeriver {
    private struct Track {
        var state: TaskState = .created
        var lastTimestamp: TraceNanos = 0
        var thread: TraceThreadID = 0
        /// The end of the last job of an automatically captured task whose fate is not known yet.
        var deferredEnd: TraceNanos?
        /// An enqueue seen while the task's job was still running.
        var pendingEnqueue: TraceNanos?
        /// Reported by the runtime's wrapper; applied at the job end.
        var outcome: TaskState?
        var outcomeError: String?
        /// The wrapper reports this task's outcome (runtime API task).
        var reportsOutcome = false
        /// Structured child captured automatically: ends (inferred) when its parent ends.
        var structured = false
        var parent: TraceTaskID?
        var cancelRequested = false
        var cancelReason: String?
        /// The parent ended while this child's job still ran: end it at that job's end.
        var finishAtJobEnd = false
        var children: [TraceTaskID] = []
    }

    private var tracks: [TraceTaskID: Track] = [:]
    private var spawns: [UInt64: TaskRecord] = [:]
    private var untrackedStarts: [TraceThreadID: TraceNanos] = [:]
    private var batch = TraceBatch()
    /// Events that would have broken the state machine and were skipped.
    private(set) var skippedEvents = 0
    /// Total transitions emitted.
    private(set) var transitionCount = 0

    /// Consumes one drained chunk of events, in order.
    mutating func consume(_ events: [RawEvent], payloads: [EventPayload]) {
        for event in events {
            switch event.kind {
            case .enqueue: enqueue(event)
            case .jobStart: jobStart(event)
            case .jobEnd: jobEnd(event)
            case .direct: direct(event)
            case .payload:
                let index = Int(event.aux)
                if index < payloads.count { apply(payloads[index], at: event.timestamp, thread: event.thread) }
            }
        }
    }

    /// Returns the rows produced since the last call.
    mutating func takeBatch() -> TraceBatch {
        defer { batch = TraceBatch() }
        return batch
    }

    /// Ends the trace at `timestamp`: deferred job ends become `suspended` (the task stays open, as it is),
    /// untracked jobs still running end now.
    mutating func finish(at timestamp: TraceNanos) {
        for id in tracks.keys.sorted() {
            guard let end = tracks[id]?.deferredEnd else { continue }
            tracks[id]?.deferredEnd = nil
            emit(id, .suspended, at: end)
        }
        for (thread, start) in untrackedStarts.sorted(by: { $0.key < $1.key }) {
            batch.untrackedJobs.append(UntrackedJobRecord(threadID: thread, start: start, end: max(start, timestamp)))
        }
        untrackedStarts.removeAll()
        spawns.removeAll()
    }

    // MARK: - Events

    private mutating func enqueue(_ event: RawEvent) {
        let id = event.task
        guard id != 0 else { return }
        guard let track = tracks[id] else {
            create(id, event: event)
            return
        }
        switch track.state {
        case .running:
            if let end = track.deferredEnd {
                tracks[id]?.deferredEnd = nil
                emit(id, .suspended, at: end)
                emit(id, .scheduled, at: event.timestamp, thread: event.thread)
            } else {
                tracks[id]?.pendingEnqueue = event.timestamp
            }
        case .suspended:
            emit(id, .scheduled, at: event.timestamp, thread: event.thread)
        case .created, .scheduled, .done, .cancelled, .errored:
            break
        }
    }

    private mutating func create(_ id: TraceTaskID, event: RawEvent) {
        let evidenceParent: TraceTaskID? = event.aux != 0 && event.aux != id ? event.aux : nil
        var track = Track()
        var record: TaskRecord
        if event.token != 0, let spawned = spawns.removeValue(forKey: event.token) {
            record = spawned
            record.id = id
            if record.parentID == nil { record.parentID = evidenceParent }
            track.reportsOutcome = true
        } else {
            let hint = JobIdentity.KindHint(rawValue: event.detail) ?? .unknown
            let kind: TaskKind =
                switch hint {
                case .groupChild: .groupChild
                case .asyncLet: .asyncLet
                default: .unknown
                }
            record = TaskRecord(id: id, parentID: evidenceParent, kind: kind)
            if hint.isStructuredChild, let parent = evidenceParent, let parentTrack = tracks[parent],
                !parentTrack.state.isTerminal
            {
                track.structured = true
                track.cancelRequested = parentTrack.cancelRequested
                tracks[parent]?.children.append(id)
            }
        }
        track.parent = record.parentID
        tracks[id] = track
        batch.tasks.append(record)
        emitCreated(id, at: event.timestamp, thread: event.thread)
        emit(id, .scheduled, at: event.timestamp, thread: event.thread)
    }

    private mutating func jobStart(_ event: RawEvent) {
        let id = event.task
        guard id != 0 else {
            untrackedStarts[event.thread] = event.timestamp
            return
        }
        guard let track = tracks[id] else {
            // Its enqueue was dropped: make the task exist so its work is not lost.
            tracks[id] = Track()
            batch.tasks.append(TaskRecord(id: id))
            emitCreated(id, at: event.timestamp, thread: event.thread)
            emit(id, .scheduled, at: event.timestamp)
            startRunning(id, event)
            return
        }
        switch track.state {
        case .scheduled:
            startRunning(id, event)
        case .running:
            // Either a deferred end, or the task resumed on another worker before its previous job returned.
            let end = track.deferredEnd ?? event.timestamp
            tracks[id]?.deferredEnd = nil
            tracks[id]?.pendingEnqueue = nil
            emit(id, .suspended, at: end)
            emit(id, .scheduled, at: event.timestamp)
            startRunning(id, event)
        case .suspended:
            emit(id, .scheduled, at: event.timestamp)
            startRunning(id, event)
        case .created, .done, .cancelled, .errored:
            skippedEvents += 1
        }
    }

    private mutating func startRunning(_ id: TraceTaskID, _ event: RawEvent) {
        tracks[id]?.thread = event.thread
        emit(id, .running, at: event.timestamp, thread: event.thread)
    }

    private mutating func jobEnd(_ event: RawEvent) {
        let id = event.task
        guard id != 0 else {
            if let start = untrackedStarts.removeValue(forKey: event.thread) {
                batch.untrackedJobs.append(
                    UntrackedJobRecord(threadID: event.thread, start: start, end: max(start, event.timestamp))
                )
            }
            return
        }
        guard let track = tracks[id], track.state == .running, track.deferredEnd == nil,
            track.thread == event.thread
        else {
            return  // the end of a job whose task already moved on (resumed elsewhere first)
        }
        if let outcome = track.outcome {
            finish(id, outcome, at: event.timestamp, error: track.outcomeError)
        } else if track.finishAtJobEnd {
            finish(id, track.cancelRequested ? .cancelled : .done, at: event.timestamp, error: nil)
        } else if let enqueued = track.pendingEnqueue {
            tracks[id]?.pendingEnqueue = nil
            emit(id, .suspended, at: event.timestamp)
            emit(id, .scheduled, at: max(enqueued, event.timestamp))
        } else if track.reportsOutcome || !track.structured {
            emit(id, .suspended, at: event.timestamp)
        } else {
            tracks[id]?.deferredEnd = event.timestamp
        }
    }

    private mutating func direct(_ event: RawEvent) {
        guard let state = TaskState(rawValue: event.detail), tracks[event.task] != nil else {
            skippedEvents += 1
            return
        }
        if state.isTerminal {
            finish(event.task, state, at: event.timestamp, error: tracks[event.task]?.outcomeError, thread: event.thread)
        } else {
            emit(event.task, state, at: event.timestamp, thread: event.thread)
        }
    }

    private mutating func apply(_ payload: EventPayload, at timestamp: TraceNanos, thread: TraceThreadID) {
        switch payload {
        case .spawn(let token, let record):
            spawns[token] = record
        case .created(let record):
            guard tracks[record.id] == nil else { return }
            var track = Track()
            track.reportsOutcome = true
            track.parent = record.parentID
            tracks[record.id] = track
            batch.tasks.append(record)
            emitCreated(record.id, at: timestamp, thread: thread)
        case .outcome(let task, let state, let error):
            tracks[task]?.outcome = state
            tracks[task]?.outcomeError = error
        case .mark(let task, let kind, let detail):
            batch.marks.append(MarkRecord(taskID: task, timestamp: timestamp, kind: kind, detail: detail))
            if kind == MarkKind.cancelRequested, let task {
                requestCancel(task, reason: detail)
            }
        case .thread(let record):
            batch.threads.append(record)
        case .taskName(let task, let name):
            batch.tasks.append(TaskRecord(id: task, name: name))
        }
    }

    // MARK: - Ending tasks

    private mutating func requestCancel(_ id: TraceTaskID, reason: String?) {
        guard let track = tracks[id], !track.state.isTerminal else { return }
        tracks[id]?.cancelRequested = true
        if tracks[id]?.cancelReason == nil { tracks[id]?.cancelReason = reason }
        for child in track.children { requestCancel(child, reason: reason) }
    }

    private mutating func finish(
        _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, error: String?, thread: TraceThreadID = 0
    ) {
        guard let track = tracks[id], track.state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        let detail = error ?? (state == .cancelled ? track.cancelReason : nil)
        if let detail { batch.tasks.append(TaskRecord(id: id, error: detail)) }
        emit(id, state, at: timestamp, thread: thread)
        let children = track.children
        tracks[id]?.children = []
        tracks[id]?.outcomeError = nil
        for child in children { endStructuredChild(child) }
    }

    /// The parent of a structured child ended, so the child has finished by now: its last job end was its end.
    private mutating func endStructuredChild(_ id: TraceTaskID) {
        guard let track = tracks[id], !track.state.isTerminal else { return }
        let state: TaskState = track.cancelRequested ? .cancelled : .done
        if let end = track.deferredEnd {
            tracks[id]?.deferredEnd = nil
            finish(id, state, at: end, error: nil)
        } else if track.state == .running {
            tracks[id]?.finishAtJobEnd = true
        }
    }

    // MARK: - Emitting

    private mutating func emitCreated(_ id: TraceTaskID, at timestamp: TraceNanos, thread: TraceThreadID) {
        tracks[id]?.lastTimestamp = timestamp
        tracks[id]?.state = .created
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: timestamp, state: .created, threadID: thread))
        transitionCount += 1
    }

    private mutating func emit(_ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, thread: TraceThreadID = 0) {
        guard let track = tracks[id], track.state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        let time = max(timestamp, track.lastTimestamp)
        tracks[id]?.state = state
        tracks[id]?.lastTimestamp = time
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: time, state: state, threadID: thread))
        transitionCount += 1
    }
}
