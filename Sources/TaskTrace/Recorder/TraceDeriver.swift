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

    /// Per-task state in one array, found through `slots`: one hash lookup per event, then in-place updates
    /// (a dictionary of structs would copy the track, with its strings and children, on every change).
    private var tracks: [Track] = []
    private var slots: [TraceTaskID: Int] = [:]
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
        for (id, slot) in slots.sorted(by: { $0.key < $1.key }) {
            guard let end = tracks[slot].deferredEnd else { continue }
            tracks[slot].deferredEnd = nil
            emit(slot, id, .suspended, at: end)
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
        guard let slot = slots[id] else {
            create(id, event: event)
            return
        }
        switch tracks[slot].state {
        case .running:
            if let end = tracks[slot].deferredEnd {
                tracks[slot].deferredEnd = nil
                emit(slot, id, .suspended, at: end)
                emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
            } else {
                tracks[slot].pendingEnqueue = event.timestamp
            }
        case .suspended:
            emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
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
            // Process capture: an unstructured task's job end is held like a structured child's — until its next
            // enqueue (suspended + scheduled), evidence that it finished (an outcome payload), or the trace's end.
            if hint == .unstructured { track.structured = true }
            if hint.isStructuredChild, let parent = evidenceParent, let parentSlot = slots[parent],
                !tracks[parentSlot].state.isTerminal
            {
                track.structured = true
                track.cancelRequested = tracks[parentSlot].cancelRequested
                tracks[parentSlot].children.append(id)
            }
        }
        track.parent = record.parentID
        let slot = addTrack(id, track)
        batch.tasks.append(record)
        emitCreated(slot, id, at: event.timestamp, thread: event.thread)
        emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
    }

    /// Stores a new task's track and returns its slot.
    private mutating func addTrack(_ id: TraceTaskID, _ track: Track) -> Int {
        let slot = tracks.count
        tracks.append(track)
        slots[id] = slot
        return slot
    }

    private mutating func jobStart(_ event: RawEvent) {
        let id = event.task
        guard id != 0 else {
            untrackedStarts[event.thread] = event.timestamp
            return
        }
        guard let slot = slots[id] else {
            // Its enqueue was dropped: make the task exist so its work is not lost.
            let slot = addTrack(id, Track())
            batch.tasks.append(TaskRecord(id: id))
            emitCreated(slot, id, at: event.timestamp, thread: event.thread)
            emit(slot, id, .scheduled, at: event.timestamp)
            startRunning(slot, id, event)
            return
        }
        switch tracks[slot].state {
        case .scheduled:
            startRunning(slot, id, event)
        case .running:
            // Either a deferred end, or the task resumed on another worker before its previous job returned.
            let end = tracks[slot].deferredEnd ?? event.timestamp
            tracks[slot].deferredEnd = nil
            tracks[slot].pendingEnqueue = nil
            emit(slot, id, .suspended, at: end)
            emit(slot, id, .scheduled, at: event.timestamp)
            startRunning(slot, id, event)
        case .suspended:
            emit(slot, id, .scheduled, at: event.timestamp)
            startRunning(slot, id, event)
        case .created, .done, .cancelled, .errored:
            skippedEvents += 1
        }
    }

    private mutating func startRunning(_ slot: Int, _ id: TraceTaskID, _ event: RawEvent) {
        tracks[slot].thread = event.thread
        emit(slot, id, .running, at: event.timestamp, thread: event.thread)
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
        guard let slot = slots[id], tracks[slot].state == .running, tracks[slot].deferredEnd == nil,
            tracks[slot].thread == event.thread
        else {
            return  // the end of a job whose task already moved on (resumed elsewhere first)
        }
        if let outcome = tracks[slot].outcome {
            finish(slot, id, outcome, at: event.timestamp, error: tracks[slot].outcomeError, thread: event.thread)
        } else if tracks[slot].finishAtJobEnd {
            let state: TaskState = tracks[slot].cancelRequested ? .cancelled : .done
            finish(slot, id, state, at: event.timestamp, error: nil, thread: event.thread)
        } else if let enqueued = tracks[slot].pendingEnqueue {
            tracks[slot].pendingEnqueue = nil
            emit(slot, id, .suspended, at: event.timestamp, thread: event.thread)
            emit(slot, id, .scheduled, at: max(enqueued, event.timestamp))
        } else if tracks[slot].reportsOutcome || !tracks[slot].structured {
            emit(slot, id, .suspended, at: event.timestamp, thread: event.thread)
        } else {
            tracks[slot].deferredEnd = event.timestamp
        }
    }

    private mutating func direct(_ event: RawEvent) {
        guard let state = TaskState(rawValue: event.detail), let slot = slots[event.task] else {
            skippedEvents += 1
            return
        }
        if state.isTerminal {
            finish(slot, event.task, state, at: event.timestamp, error: tracks[slot].outcomeError, thread: event.thread)
        } else {
            emit(slot, event.task, state, at: event.timestamp, thread: event.thread)
        }
    }

    private mutating func apply(_ payload: EventPayload, at timestamp: TraceNanos, thread: TraceThreadID) {
        switch payload {
        case .spawn(let token, let record):
            spawns[token] = record
        case .created(let record):
            guard slots[record.id] == nil else { return }
            var track = Track()
            track.reportsOutcome = true
            track.parent = record.parentID
            let slot = addTrack(record.id, track)
            batch.tasks.append(record)
            emitCreated(slot, record.id, at: timestamp, thread: thread)
        case .outcome(let task, let state, let error):
            guard let slot = slots[task] else { return }
            tracks[slot].outcome = state
            tracks[slot].outcomeError = error
            if let end = tracks[slot].deferredEnd {
                // Evidence that came after the task's held job end (process capture: freed later): it ended there.
                tracks[slot].deferredEnd = nil
                finish(slot, task, state, at: end, error: error)
            }
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
        guard let slot = slots[id], !tracks[slot].state.isTerminal else { return }
        tracks[slot].cancelRequested = true
        if tracks[slot].cancelReason == nil { tracks[slot].cancelReason = reason }
        for child in tracks[slot].children { requestCancel(child, reason: reason) }
    }

    private mutating func finish(
        _ slot: Int, _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, error: String?,
        thread: TraceThreadID = 0
    ) {
        guard tracks[slot].state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        let detail = error ?? (state == .cancelled ? tracks[slot].cancelReason : nil)
        if let detail { batch.tasks.append(TaskRecord(id: id, error: detail)) }
        emit(slot, id, state, at: timestamp, thread: thread)
        let children = tracks[slot].children
        tracks[slot].children = []
        tracks[slot].outcomeError = nil
        tracks[slot].cancelReason = nil
        for child in children { endStructuredChild(child) }
    }

    /// The parent of a structured child ended, so the child has finished by now: its last job end was its end.
    private mutating func endStructuredChild(_ id: TraceTaskID) {
        guard let slot = slots[id], !tracks[slot].state.isTerminal else { return }
        let state: TaskState = tracks[slot].cancelRequested ? .cancelled : .done
        if let end = tracks[slot].deferredEnd {
            tracks[slot].deferredEnd = nil
            finish(slot, id, state, at: end, error: nil)
        } else if tracks[slot].state == .running {
            tracks[slot].finishAtJobEnd = true
        }
    }

    // MARK: - Emitting

    private mutating func emitCreated(_ slot: Int, _ id: TraceTaskID, at timestamp: TraceNanos, thread: TraceThreadID) {
        tracks[slot].lastTimestamp = timestamp
        tracks[slot].state = .created
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: timestamp, state: .created, threadID: thread))
        transitionCount += 1
    }

    private mutating func emit(
        _ slot: Int, _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, thread: TraceThreadID = 0
    ) {
        guard tracks[slot].state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        let time = max(timestamp, tracks[slot].lastTimestamp)
        tracks[slot].state = state
        tracks[slot].lastTimestamp = time
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: time, state: state, threadID: thread))
        transitionCount += 1
    }
}
