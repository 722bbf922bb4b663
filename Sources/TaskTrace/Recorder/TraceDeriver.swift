import TaskTraceModel
import TaskTraceStore

/// Turns the raw event stream into trace rows: per-task state, legal transitions, task records, marks.
///
/// Runs on the writer thread only (not thread-safe; owned by `TraceRecorder`'s writer). Events arrive in the
/// order of their timestamps (the buffer merges its threads' logs by stamp, see `EventBuffer`), but with several workers that is not the
/// order of what one task did: a task resumed by its own job (a yield) or by another thread can start its next
/// job on another worker before its previous job's end is recorded. The deriver therefore orders by causality,
/// not by arrival — see docs/runtime.md, "How states are derived":
///
/// - **enqueue** of an unseen task: `created` then `scheduled`. Tasks started by the runtime's API are matched to
///   their name, kind and site by the spawn token their first enqueue carries.
/// - **enqueue of a running task**: the task's code has reached a suspension point (it can only be resumed
///   after suspending), so `suspended` + `scheduled` at the enqueue; the end of the old job, when it arrives,
///   belongs to the worker's lane, not to the task.
/// - **job start**: `running` on that thread. **job end**: `suspended`, or the terminal state the task's
///   wrapper reported during that job.
/// - **actors**: a task that hops back from a default actor's job (an enqueue flagged `hopBack`) ran on the
///   actor since the later of the actor job's start, the previous hop back in that job, and its own suspension:
///   that time is a `running` segment on the actor job's thread, with an `on_actor` mark.
/// - **structured children captured without a wrapper**: a job end is held back until the child is enqueued
///   again (`suspended`) or its parent ends (then `done`, or `cancelled` if cancellation was requested — an
///   inference, marked `inferred_outcome`).
///
/// Nothing is repaired silently. An event that fits no task's life is skipped and counted (`skippedEvents`);
/// a timestamp earlier than the task's previous one is raised to it and counted (`reorderedEvents`); a
/// transition rebuilt because its event was dropped is counted (`reconstructedTransitions`) and the task gets
/// an `events_lost` mark, as does every task whose events the buffer dropped.
struct TraceDeriver {
    private struct Track {
        var state: TaskState = .created
        var lastTimestamp: TraceNanos = 0
        /// The thread whose job the task is running, and that job's serial on the lane; 0 once the task moved on
        /// (its code suspended before the job's end was recorded) or while no job of it runs.
        var runningThread: TraceThreadID = 0
        var jobSerial: UInt64 = 0
        /// The end of the last job of an automatically captured child whose fate is not known yet.
        var heldEnd: TraceNanos?
        /// Reported by the runtime's wrapper during the task's last job; applied at that job's end.
        var outcome: TaskState?
        /// Whether `outcomeErrors` / `cancelReasons` hold text for this slot (kept outside the track so that a
        /// track is plain data: the array of a million tracks grows by copying bytes, not retaining strings).
        var hasOutcomeError = false
        var hasCancelReason = false
        var outcomeAt: TraceNanos = 0
        /// The wrapper reports this task's outcome (runtime API task).
        var reportsOutcome = false
        /// Structured child captured automatically: ends (inferred) when its parent ends.
        var structured = false
        /// Its code left for a default actor (it enqueued the actor's job); the hop back will say when it ran.
        var awaitingActor = false
        var cancelRequested = false
        /// The parent ended while this child's job still ran: end it at that job's end.
        var finishAtJobEnd = false
        /// Index in `childLists` of the slots of the structured children adopted by this task, or -1 (slots, not
        /// ids: ending a group of 100k children then needs no hash lookup per child).
        var childList: Int32 = -1
        /// Events of this task the buffer dropped, and transitions rebuilt for it.
        var lostEvents = 0
        var rebuilt = 0
    }

    /// What one thread is doing, from its job start and end events.
    private struct Lane {
        var busy = false
        /// The task whose job runs (0: a job with no task, such as a default actor's).
        var task: TraceTaskID = 0
        var jobStart: TraceNanos = 0
        var serial: UInt64 = 0
        var lastEnd: TraceNanos = 0
        /// Inside an untracked job: where the next task's time on the actor can start.
        var actorBoundary: TraceNanos = 0
    }

    /// Per-task state in one array, found through `slots` (one array lookup per event for the dense ids of a
    /// recording), then in-place updates.
    private var tracks: [Track] = []
    private var slots = TaskSlotMap()
    /// Each slot's task id (the reverse of `slots`).
    private var ids: [TraceTaskID] = []
    /// Children's slots per parent (`Track.childList`), and the rare texts of a track, by slot.
    private var childLists: [[Int]] = []
    private var outcomeErrors: [Int: String] = [:]
    private var cancelReasons: [Int: String] = [:]
    /// Indexed by thread id (small, dense, from 1).
    private var lanes: [Lane] = []
    private var spawns: [UInt64: TaskRecord] = [:]
    private var batch = TraceBatch()
    /// Events that fit no task's life and were left out.
    private(set) var skippedEvents = 0
    /// Events stamped earlier than their task's previous transition.
    private(set) var reorderedEvents = 0
    /// Transitions rebuilt from other evidence because their own event was dropped.
    private(set) var reconstructedTransitions = 0
    /// Total transitions emitted.
    private(set) var transitionCount = 0
    /// Dropped events whose task is not (yet) known.
    private var lostWithoutTask: [TraceTaskID: Int] = [:]

    /// Consumes one drained chunk of events, in order, and the task ids of events dropped meanwhile.
    mutating func consume(_ events: [RawEvent], payloads: [EventPayload], lostTasks: [TraceTaskID] = []) {
        consume(events[...], payloads: payloads, lostTasks: lostTasks)
    }

    /// Same, for a stretch of a drain (the writer derives a large drain in parts).
    mutating func consume(_ events: ArraySlice<RawEvent>, payloads: [EventPayload], lostTasks: [TraceTaskID] = []) {
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
        for task in lostTasks {
            if let slot = slots[task] { tracks[slot].lostEvents += 1 } else { lostWithoutTask[task, default: 0] += 1 }
        }
    }

    /// Returns the rows produced since the last call.
    mutating func takeBatch() -> TraceBatch {
        defer { batch = TraceBatch() }
        return batch
    }

    /// Takes back a batch the sink is done with: its arrays, emptied, hold the next batch. A new array per batch
    /// meant fresh memory every flush — page faults and regrowth copies on ~10 % of the writer's time on the
    /// yield-heavy workload (perf) — where a reused one stays touched. Call between `takeBatch` and the next
    /// event; pass the batch's last reference (`consume`), or its arrays are copied instead.
    mutating func recycle(_ written: consuming TraceBatch) {
        guard batch.isEmpty, batch.transitionSlots.isEmpty else { return }
        var spare = written
        spare.transitions.removeAll(keepingCapacity: true)
        spare.transitionSlots.removeAll(keepingCapacity: true)
        spare.tasks.removeAll(keepingCapacity: true)
        spare.threads.removeAll(keepingCapacity: true)
        spare.marks.removeAll(keepingCapacity: true)
        spare.untrackedJobs.removeAll(keepingCapacity: true)
        batch = spare
    }

    /// Ends the trace at `timestamp`. Held job ends become `suspended` (the task stays open, as it is); a task
    /// whose wrapper reported its outcome but whose last job end was dropped ends at the outcome; untracked jobs
    /// still running end now; every task that lost events gets an `events_lost` mark.
    mutating func finish(at timestamp: TraceNanos) {
        // Slot (creation) order: deterministic, and no sort of every task.
        for slot in tracks.indices {
            let id = ids[slot]
            if let end = tracks[slot].heldEnd {
                tracks[slot].heldEnd = nil
                emit(slot, id, .suspended, at: end)
            } else if let outcome = tracks[slot].outcome, !tracks[slot].state.isTerminal {
                // The wrapper reported the outcome during a job, but the events of that job's start or end were
                // dropped: the task ran and ended by the outcome's time.
                let at = tracks[slot].outcomeAt
                if tracks[slot].state == .suspended || tracks[slot].state == .created {
                    rebuild(slot, id, .scheduled, at: at)
                }
                if tracks[slot].state == .scheduled { rebuild(slot, id, .running, at: at) }
                tracks[slot].rebuilt += 1
                reconstructedTransitions += 1
                finish(slot, id, outcome, at: at, error: outcomeError(slot))
            }
        }
        for thread in lanes.indices where lanes[thread].busy && lanes[thread].task == 0 {
            let start = lanes[thread].jobStart
            batch.untrackedJobs.append(
                UntrackedJobRecord(threadID: TraceThreadID(thread), start: start, end: max(start, timestamp))
            )
            lanes[thread].busy = false
        }
        for slot in tracks.indices {
            let id = ids[slot]
            let lost = tracks[slot].lostEvents + (lostWithoutTask.isEmpty ? 0 : lostWithoutTask.removeValue(forKey: id) ?? 0)
            let rebuilt = tracks[slot].rebuilt
            guard lost > 0 || rebuilt > 0 else { continue }
            var parts: [String] = []
            if lost > 0 { parts.append("\(lost) of its events were dropped (buffer full)") }
            if rebuilt > 0 { parts.append("\(rebuilt) transition(s) rebuilt from other evidence") }
            batch.marks.append(
                MarkRecord(
                    taskID: id, timestamp: tracks[slot].lastTimestamp, kind: MarkKind.eventsLost,
                    detail: parts.joined(separator: "; ")
                )
            )
        }
        let unattributed = lostWithoutTask.values.reduce(0, +)
        if unattributed > 0 {
            batch.marks.append(
                MarkRecord(
                    taskID: nil, timestamp: timestamp, kind: MarkKind.eventsLost,
                    detail: "\(unattributed) dropped events belong to tasks the trace never saw"
                )
            )
        }
        spawns.removeAll()
    }

    // MARK: - Events

    private mutating func enqueue(_ event: RawEvent) {
        let id = event.task
        guard id != 0 else {
            leftForActor(event)
            return
        }
        guard let slot = slots[id] else {
            create(id, event: event)
            return
        }
        let hopBack = event.detail & RawEvent.hopBack != 0
        switch tracks[slot].state {
        case .running:
            if let end = tracks[slot].heldEnd {
                tracks[slot].heldEnd = nil
                emit(slot, id, .suspended, at: end)
            } else if !hopBack {
                // Resumed before its job's end reached us: its code suspended by now. Detach it from that job.
                tracks[slot].runningThread = 0
                emit(slot, id, .suspended, at: event.timestamp)
            }
            if hopBack { attributeActorTime(slot, id, hopBack: event) }
            emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
        case .suspended:
            if hopBack { attributeActorTime(slot, id, hopBack: event) }
            emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
        case .scheduled where tracks[slot].awaitingActor:
            if hopBack {
                attributeActorTime(slot, id, hopBack: event)
            } else {
                // Resumed some other way (the actor was not where its code went): it waited until now.
                tracks[slot].awaitingActor = false
                emit(slot, id, .suspended, at: event.timestamp)
            }
            emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
        case .created, .scheduled, .done, .cancelled, .errored:
            skippedEvents += 1
        }
    }

    /// A default actor's job enqueued by a task whose code just left for the actor: its running segment ends
    /// here, and it waits (scheduled) until the actor runs its code.
    private mutating func leftForActor(_ event: RawEvent) {
        let id = event.aux
        guard let slot = slots[id], tracks[slot].state == .running, tracks[slot].heldEnd == nil,
            tracks[slot].runningThread == event.thread
        else { return }
        tracks[slot].runningThread = 0
        tracks[slot].awaitingActor = true
        emit(slot, id, .suspended, at: event.timestamp, thread: event.thread)
        emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
    }

    /// The task just left a default actor's job running on `hopBack.thread`: it ran there since the later of
    /// the actor job's start (or the previous task's hop back in that job) and its own suspension. A task whose
    /// own job's end has not arrived yet (a worker preempted after the task's code moved to the actor) stops
    /// running in that job when its time on the actor starts.
    private mutating func attributeActorTime(_ slot: Int, _ id: TraceTaskID, hopBack: RawEvent) {
        let thread = Int(hopBack.thread)
        guard thread < lanes.count, lanes[thread].busy, lanes[thread].task == 0 else {
            // No actor job is known to run there (its start was dropped): end the wait at the hop back.
            if tracks[slot].state == .scheduled {
                emit(slot, id, .running, at: hopBack.timestamp, thread: hopBack.thread)
            }
            if tracks[slot].state == .running {
                tracks[slot].runningThread = 0
                emit(slot, id, .suspended, at: hopBack.timestamp)
            }
            tracks[slot].awaitingActor = false
            return
        }
        let start = max(lanes[thread].actorBoundary, tracks[slot].lastTimestamp)
        lanes[thread].actorBoundary = hopBack.timestamp
        switch tracks[slot].state {
        case .running:
            tracks[slot].runningThread = 0
            emit(slot, id, .suspended, at: start)
            emit(slot, id, .scheduled, at: start)
        case .suspended:
            // Waiting for the actor is queue latency: scheduled from the suspension until the actor ran its code.
            emit(slot, id, .scheduled, at: tracks[slot].lastTimestamp)
        default:
            break  // scheduled since it left for the actor
        }
        tracks[slot].awaitingActor = false
        emit(slot, id, .running, at: start, thread: hopBack.thread)
        batch.marks.append(
            MarkRecord(
                taskID: id, timestamp: start, kind: MarkKind.onActor,
                detail: "ran on a default actor's job on this thread until its hop back"
            )
        )
        emit(slot, id, .suspended, at: hopBack.timestamp, thread: hopBack.thread)
    }

    private mutating func create(_ id: TraceTaskID, event: RawEvent) {
        // Enqueue evidence names a task of this executor (even one not seen yet, like a captured program's main).
        let evidenceParent: TraceTaskID? = event.aux != 0 && event.aux != id ? event.aux : nil
        var track = Track()
        var record: TaskRecord
        var adoptedBy: Int?
        if event.token != 0, let spawned = spawns.removeValue(forKey: event.token) {
            record = spawned
            record.id = id
            if let parent = record.parentID, slots[parent] == nil { record.parentID = nil }
            if record.parentID == nil { record.parentID = evidenceParent }
            track.reportsOutcome = true
            if record.kind == .groupChild, let parent = record.parentID {
                // A traced group's child: it reports its own outcome; the link only carries cancellation reasons.
                adoptedBy = adopt(&track, parent: parent)
            }
        } else {
            let hint = JobIdentity.KindHint(rawValue: event.detail & RawEvent.hintMask) ?? .unknown
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
            if hint.isStructuredChild, let parent = evidenceParent { adoptedBy = adopt(&track, parent: parent) }
        }
        let slot = addTrack(id, track)
        if let adoptedBy { addChild(slot, to: adoptedBy) }
        batch.tasks.append(record)
        emitCreated(slot, id, at: event.timestamp, thread: event.thread)
        emit(slot, id, .scheduled, at: event.timestamp, thread: event.thread)
    }

    /// Prepares an automatically captured structured child's track for adoption by its living parent (for
    /// inferred ends); returns the parent's slot, to which the caller adds the child's slot once it has one.
    private mutating func adopt(_ track: inout Track, parent: TraceTaskID) -> Int? {
        guard let parentSlot = slots[parent], !tracks[parentSlot].state.isTerminal else { return nil }
        track.structured = !track.reportsOutcome
        track.cancelRequested = tracks[parentSlot].cancelRequested
        return parentSlot
    }

    private mutating func addChild(_ child: Int, to parent: Int) {
        if tracks[parent].childList < 0 {
            tracks[parent].childList = Int32(childLists.count)
            childLists.append([])
        }
        childLists[Int(tracks[parent].childList)].append(child)
    }

    private func children(of slot: Int) -> [Int] {
        tracks[slot].childList < 0 ? [] : childLists[Int(tracks[slot].childList)]
    }

    private func outcomeError(_ slot: Int) -> String? { tracks[slot].hasOutcomeError ? outcomeErrors[slot] : nil }

    private func cancelReason(_ slot: Int) -> String? { tracks[slot].hasCancelReason ? cancelReasons[slot] : nil }

    private mutating func setOutcomeError(_ slot: Int, _ text: String?) {
        guard text != nil || tracks[slot].hasOutcomeError else { return }
        outcomeErrors[slot] = text
        tracks[slot].hasOutcomeError = text != nil
    }

    private mutating func setCancelReason(_ slot: Int, _ text: String?) {
        guard text != nil || tracks[slot].hasCancelReason else { return }
        cancelReasons[slot] = text
        tracks[slot].hasCancelReason = text != nil
    }

    /// Stores a new task's track and returns its slot.
    private mutating func addTrack(_ id: TraceTaskID, _ track: Track) -> Int {
        let slot = tracks.count
        tracks.append(track)
        ids.append(id)
        slots[id] = slot
        if let lost = lostWithoutTask.removeValue(forKey: id) { tracks[slot].lostEvents += lost }
        return slot
    }

    private mutating func lane(_ thread: TraceThreadID) -> Int {
        let index = Int(thread)
        if index >= lanes.count { lanes.append(contentsOf: repeatElement(Lane(), count: index + 1 - lanes.count)) }
        return index
    }

    private mutating func jobStart(_ event: RawEvent) {
        let lane = lane(event.thread)
        if lanes[lane].busy {
            // The previous job's end on this thread was dropped: a thread runs one job at a time, so it ended
            // by now.
            endLaneJob(lane, at: event.timestamp, reconstructed: true)
        }
        lanes[lane].busy = true
        lanes[lane].task = event.task
        lanes[lane].jobStart = event.timestamp
        lanes[lane].actorBoundary = event.timestamp
        lanes[lane].serial &+= 1
        let id = event.task
        guard id != 0 else { return }
        guard let slot = slots[id] else {
            // Its enqueue was dropped: make the task exist so its work is not lost.
            let slot = addTrack(id, Track())
            batch.tasks.append(TaskRecord(id: id))
            emitCreated(slot, id, at: event.timestamp, thread: event.thread)
            rebuild(slot, id, .scheduled, at: event.timestamp)
            startRunning(slot, id, event, lane: lane)
            return
        }
        switch tracks[slot].state {
        case .scheduled:
            break
        case .running:
            // Running elsewhere or held, and no enqueue seen: the enqueue that resumed it was dropped.
            let end = tracks[slot].heldEnd ?? event.timestamp
            tracks[slot].heldEnd = nil
            rebuild(slot, id, .suspended, at: end)
            rebuild(slot, id, .scheduled, at: event.timestamp)
        case .suspended, .created:
            rebuild(slot, id, .scheduled, at: event.timestamp)
        case .done, .cancelled, .errored:
            skippedEvents += 1
            return
        }
        startRunning(slot, id, event, lane: lane)
    }

    private mutating func startRunning(_ slot: Int, _ id: TraceTaskID, _ event: RawEvent, lane: Int) {
        tracks[slot].runningThread = event.thread
        tracks[slot].jobSerial = lanes[lane].serial
        emit(slot, id, .running, at: event.timestamp, thread: event.thread)
    }

    private mutating func jobEnd(_ event: RawEvent) {
        let lane = lane(event.thread)
        if !lanes[lane].busy || lanes[lane].task != event.task {
            // The start of this job was dropped (or a different job's end was): rebuild what can be known.
            if lanes[lane].busy { endLaneJob(lane, at: event.timestamp, reconstructed: true) }
            recoverMissingStart(event, lane: lane)
            return
        }
        endLaneJob(lane, at: event.timestamp, reconstructed: false)
    }

    /// A job end arrived for a job whose start was dropped: a task waiting to run ran until now.
    private mutating func recoverMissingStart(_ event: RawEvent, lane: Int) {
        let previousEnd = lanes[lane].lastEnd
        lanes[lane].lastEnd = event.timestamp
        guard event.task != 0, let slot = slots[event.task], tracks[slot].state == .scheduled else {
            if event.task != 0 { skippedEvents += 1 }
            return
        }
        let id = event.task
        let start = max(previousEnd, tracks[slot].lastTimestamp)
        tracks[slot].runningThread = event.thread
        rebuild(slot, id, .running, at: start, thread: event.thread)
        endJob(slot, id, at: event.timestamp, thread: event.thread)
    }

    /// The job on `lane` ended at `timestamp` (observed, or implied by the next job on that thread).
    private mutating func endLaneJob(_ lane: Int, at timestamp: TraceNanos, reconstructed: Bool) {
        let id = lanes[lane].task
        let serial = lanes[lane].serial
        let start = lanes[lane].jobStart
        lanes[lane].busy = false
        lanes[lane].lastEnd = timestamp
        guard id != 0 else {
            batch.untrackedJobs.append(
                UntrackedJobRecord(threadID: TraceThreadID(lane), start: start, end: max(start, timestamp))
            )
            return
        }
        guard let slot = slots[id], tracks[slot].state == .running, tracks[slot].heldEnd == nil,
            tracks[slot].runningThread == TraceThreadID(lane), tracks[slot].jobSerial == serial
        else {
            return  // the task moved on before this job's end was recorded (resumed elsewhere first)
        }
        if reconstructed {
            tracks[slot].rebuilt += 1
            reconstructedTransitions += 1
        }
        endJob(slot, id, at: timestamp, thread: TraceThreadID(lane))
    }

    /// The task's current job ended: its outcome, an inferred end, a held end, or a suspension.
    private mutating func endJob(_ slot: Int, _ id: TraceTaskID, at timestamp: TraceNanos, thread: TraceThreadID) {
        tracks[slot].runningThread = 0
        if let outcome = tracks[slot].outcome {
            finish(slot, id, outcome, at: timestamp, error: outcomeError(slot), thread: thread)
        } else if tracks[slot].finishAtJobEnd {
            let state: TaskState = tracks[slot].cancelRequested ? .cancelled : .done
            finish(slot, id, state, at: timestamp, error: nil, thread: thread, inferred: true)
        } else if tracks[slot].reportsOutcome || !tracks[slot].structured {
            emit(slot, id, .suspended, at: timestamp, thread: thread)
        } else {
            tracks[slot].heldEnd = timestamp
        }
    }

    private mutating func direct(_ event: RawEvent) {
        guard let state = TaskState(rawValue: event.detail), let slot = slots[event.task] else {
            skippedEvents += 1
            return
        }
        if state.isTerminal {
            finish(slot, event.task, state, at: event.timestamp, error: outcomeError(slot), thread: event.thread)
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
            var record = record
            if let parent = record.parentID, slots[parent] == nil { record.parentID = nil }
            var track = Track()
            track.reportsOutcome = true
            let slot = addTrack(record.id, track)
            batch.tasks.append(record)
            emitCreated(slot, record.id, at: timestamp, thread: thread)
        case .outcome(let task, let state, let error):
            guard let slot = slots[task] else {
                skippedEvents += 1
                return
            }
            tracks[slot].outcome = state
            setOutcomeError(slot, error)
            tracks[slot].outcomeAt = timestamp
            if let end = tracks[slot].heldEnd {
                // Evidence that came after the task's held job end (process capture: freed later): it ended there.
                tracks[slot].heldEnd = nil
                finish(slot, task, state, at: end, error: error)
            }
        case .mark(let task, let kind, let detail):
            // A mark about a task this trace does not know (a task of another executor) is trace-wide.
            let known = task.flatMap { slots[$0] != nil ? $0 : nil }
            batch.marks.append(MarkRecord(taskID: known, timestamp: timestamp, kind: kind, detail: detail))
            if kind == MarkKind.cancelRequested, let known {
                requestCancel(known, reason: detail)
            }
        case .thread(let record):
            batch.threads.append(record)
        case .taskName(let task, let name):
            batch.tasks.append(TaskRecord(id: task, name: name))
        }
    }

    // MARK: - Ending tasks

    private mutating func requestCancel(_ id: TraceTaskID, reason: String?) {
        guard let slot = slots[id] else { return }
        requestCancel(slot: slot, reason: reason)
    }

    private mutating func requestCancel(slot: Int, reason: String?) {
        guard !tracks[slot].state.isTerminal else { return }
        tracks[slot].cancelRequested = true
        if cancelReason(slot) == nil { setCancelReason(slot, reason) }
        for child in children(of: slot) { requestCancel(slot: child, reason: reason) }
    }

    private mutating func finish(
        _ slot: Int, _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, error: String?,
        thread: TraceThreadID = 0, inferred: Bool = false
    ) {
        guard tracks[slot].state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        let detail = error ?? (state == .cancelled ? cancelReason(slot) : nil)
        if let detail { batch.tasks.append(TaskRecord(id: id, error: detail)) }
        emit(slot, id, state, at: timestamp, thread: thread)
        if inferred {
            // Short, fixed details (stored inline, no allocation per task: a flood infers millions of these);
            // docs/runtime.md explains them.
            let detail =
                state == .cancelled
                ? InferredOutcomeDetail.parentEndedCancelRequested : InferredOutcomeDetail.parentEnded
            batch.marks.append(
                MarkRecord(
                    taskID: id, timestamp: tracks[slot].lastTimestamp, kind: MarkKind.inferredOutcome, detail: detail
                )
            )
        }
        let children = children(of: slot)
        if tracks[slot].childList >= 0 { childLists[Int(tracks[slot].childList)] = [] }
        setOutcomeError(slot, nil)
        setCancelReason(slot, nil)
        for child in children { endStructuredChild(child) }
    }

    /// The parent of a structured child ended, so the child has finished by now: its last job end was its end.
    private mutating func endStructuredChild(_ slot: Int) {
        guard !tracks[slot].state.isTerminal, tracks[slot].structured else { return }
        let id = ids[slot]
        let state: TaskState = tracks[slot].cancelRequested ? .cancelled : .done
        if let end = tracks[slot].heldEnd {
            tracks[slot].heldEnd = nil
            finish(slot, id, state, at: end, error: nil, inferred: true)
        } else if tracks[slot].state == .running {
            tracks[slot].finishAtJobEnd = true
        }
    }

    // MARK: - Emitting

    private mutating func emitCreated(_ slot: Int, _ id: TraceTaskID, at timestamp: TraceNanos, thread: TraceThreadID) {
        tracks[slot].lastTimestamp = timestamp
        tracks[slot].state = .created
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: timestamp, state: .created, threadID: thread))
        batch.transitionSlots.append(UInt32(truncatingIfNeeded: slot))
        transitionCount += 1
    }

    /// Emits a transition rebuilt from other evidence (its own event was dropped).
    private mutating func rebuild(
        _ slot: Int, _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, thread: TraceThreadID = 0
    ) {
        tracks[slot].rebuilt += 1
        reconstructedTransitions += 1
        emit(slot, id, state, at: timestamp, thread: thread)
    }

    private mutating func emit(
        _ slot: Int, _ id: TraceTaskID, _ state: TaskState, at timestamp: TraceNanos, thread: TraceThreadID = 0
    ) {
        guard tracks[slot].state.canTransition(to: state) else {
            skippedEvents += 1
            return
        }
        var time = timestamp
        if time < tracks[slot].lastTimestamp {
            reorderedEvents += 1
            time = tracks[slot].lastTimestamp
        }
        tracks[slot].state = state
        tracks[slot].lastTimestamp = time
        batch.transitions.append(TransitionRecord(taskID: id, timestamp: time, state: state, threadID: thread))
        batch.transitionSlots.append(UInt32(truncatingIfNeeded: slot))
        transitionCount += 1
    }
}
