import TaskTraceModel

/// Turns the recorder's stream of transitions into `job_log` rows, one per job where it can.
///
/// A task's open row is held until its job ends (the end slot closes a row), until a transition does not fit it
/// (see `JobRow.accepts`), or until it is `holdNanos` old — by the trace's clock (the latest transition packed is
/// that much later than the row's first) or by the writer's (a write that long after the one that opened it, for
/// a program gone quiet): a job queued or running for long is then written as a partial row and its later
/// transitions go into a new row, so a trace cut short by a kill lacks at most that much more than the writer's
/// own lag. `drainAll` writes every open row when the
/// recording ends. A task's rows leave in its transitions' order, so `seq` order is each task's recorded order.
///
/// Inferred ends: the recorder writes an `inferred_outcome` mark with a fixed detail (`InferredOutcomeDetail`)
/// in the same batch as the end it explains, right after it; `absorbInferredMarks` takes those marks out of the
/// batch and the end's row gets `endInferred` instead (one flag instead of one `mark_log` row per group child).
///
/// Not thread-safe: owned by one `TraceWriter`.
struct JobRowPacker {
    private struct OpenRow {
        var row: JobRow
        /// The writer's clock when the row was opened, and the trace time of its first transition.
        var openedAt: UInt64
        var openedTrace: TraceNanos
        /// 0 once the row left (its `open` entry is free).
        var serial: UInt64
        var key: Key
    }

    /// Held rows, found through `openIndex`; freed entries are reused (`free`).
    private var open: [OpenRow] = []
    private var openIndex: [TraceTaskID: Int] = [:]
    /// The same, by the recorder's dense task slot (`TraceBatch.transitionSlots`): `-1` where none is open.
    private var openBySlot: [Int32] = []
    private var heldBySlot = 0
    private var free: [Int] = []
    /// Held rows in the order they were opened, to find those held too long without scanning them all; entries
    /// whose row has left since (another serial, or none) are skipped.
    private var openOrder: [(index: Int, serial: UInt64, openedAt: UInt64)] = []
    /// The latest transition time packed so far.
    private var latestTrace: TraceNanos = 0
    private var openOrderHead = 0
    private var nextSerial: UInt64 = 0
    /// Inferred ends announced by the marks of the batch being packed, in the marks' order (the recorder writes
    /// each right after its end), and how many of them have met their end.
    private var inferredEnds: [(task: TraceTaskID, timestamp: TraceNanos, state: TaskState)] = []
    private var inferredMatched = 0

    let holdNanos: UInt64

    init(holdNanos: UInt64) {
        self.holdNanos = holdNanos
    }

    /// Number of rows held.
    var heldCount: Int { openIndex.count + heldBySlot }

    /// `marks` without the inferred-outcome marks that a flag on their end's row can carry; call before `pack`
    /// with the same batch. Marks whose end does not come in order are given back by `unabsorbedMarks()`.
    /// Returns `marks` itself (no copy) when it has none to absorb; otherwise builds the rest anew rather than
    /// removing in place, which would first copy the caller's whole array (100k marks when a group of 100k
    /// children ends).
    mutating func absorbInferredMarks(from marks: [MarkRecord]) -> [MarkRecord] {
        guard marks.contains(where: { $0.kind == MarkKind.inferredOutcome }) else { return marks }
        var kept: [MarkRecord] = []
        for mark in marks {
            if let task = mark.taskID, mark.kind == MarkKind.inferredOutcome,
                let state = InferredOutcomeDetail.state(for: mark.detail)
            {
                inferredEnds.append((task, mark.timestamp, state))
            } else {
                kept.append(mark)
            }
        }
        return kept
    }

    /// The absorbed marks that met no end (not expected from the recorder; kept, never lost).
    mutating func unabsorbedMarks() -> [MarkRecord] {
        defer {
            inferredEnds.removeAll(keepingCapacity: true)
            inferredMatched = 0
        }
        return inferredEnds[inferredMatched...].map { end in
            MarkRecord(
                taskID: end.task, timestamp: end.timestamp, kind: MarkKind.inferredOutcome,
                detail: InferredOutcomeDetail.detail(for: end.state)
            )
        }
    }

    /// Adds transitions in recorded order; rows that are complete go to `rows`. `slots`, when not empty, gives
    /// each transition's dense task number (see `TraceBatch.transitionSlots`); use it for every batch or none.
    mutating func pack(_ transitions: [TransitionRecord], slots: [UInt32] = [], now: UInt64, into rows: inout [JobRow]) {
        if slots.count == transitions.count, !slots.isEmpty {
            for (transition, slot) in zip(transitions, slots) {
                add(transition, key: .slot(Int(slot)), now: now, into: &rows)
            }
        } else {
            for transition in transitions {
                add(transition, key: .task(transition.taskID), now: now, into: &rows)
            }
        }
    }

    /// How a held row is found: by dense slot when the recorder gave one, else by task id.
    private enum Key {
        case slot(Int)
        case task(TraceTaskID)
    }

    @inline(__always)
    private func openRow(_ key: Key) -> Int? {
        switch key {
        case .slot(let slot):
            guard slot < openBySlot.count else { return nil }
            let index = openBySlot[slot]
            return index >= 0 ? Int(index) : nil
        case .task(let id):
            return openIndex[id]
        }
    }

    @inline(__always)
    private mutating func setOpenRow(_ key: Key, _ index: Int?) {
        switch key {
        case .slot(let slot):
            if slot >= openBySlot.count {
                openBySlot.append(contentsOf: repeatElement(-1, count: max(slot + 1 - openBySlot.count, openBySlot.count)))
            }
            let was = openBySlot[slot] >= 0
            openBySlot[slot] = index.map { Int32($0) } ?? -1
            heldBySlot += (index != nil ? 1 : 0) - (was ? 1 : 0)
        case .task(let id):
            openIndex[id] = index
        }
    }

    @inline(__always)
    private mutating func add(_ transition: TransitionRecord, key: Key, now: UInt64, into rows: inout [JobRow]) {
        latestTrace = max(latestTrace, transition.timestamp)
        if let index = openRow(key) {
            if open[index].row.accepts(transition) {
                open[index].row.store(transition)
                if transition.state.isJobEnd {
                    var row = open[index].row
                    markInferred(&row, transition)
                    rows.append(row)
                    release(key, index)
                }
                return
            }
            rows.append(open[index].row)
            release(key, index)
        }
        var row = JobRow(taskID: transition.taskID)
        row.store(transition)
        if transition.state.isJobEnd {
            markInferred(&row, transition)
            rows.append(row)
            return
        }
        nextSerial += 1
        let entry = OpenRow(row: row, openedAt: now, openedTrace: transition.timestamp, serial: nextSerial, key: key)
        let index: Int
        if let reused = free.popLast() {
            open[reused] = entry
            index = reused
        } else {
            open.append(entry)
            index = open.count - 1
        }
        setOpenRow(key, index)
        openOrder.append((index, nextSerial, now))
    }

    @inline(__always)
    private mutating func release(_ key: Key, _ index: Int) {
        setOpenRow(key, nil)
        open[index].serial = 0
        free.append(index)
    }

    /// Flags `row` when `end` is the end the next absorbed mark announces. Matching in order needs no lookup;
    /// a mark that never meets its end stops the matching, and it and the later ones stay ordinary marks.
    @inline(__always)
    private mutating func markInferred(_ row: inout JobRow, _ end: TransitionRecord) {
        guard inferredMatched < inferredEnds.count else { return }
        let next = inferredEnds[inferredMatched]
        guard next.task == end.taskID, next.timestamp == end.timestamp, next.state == end.state else { return }
        row.endInferred = true
        inferredMatched += 1
    }

    /// Rows held for at least `holdNanos` (by the writer's clock `now`, or by trace time), removed from the held set
    /// (partial rows). Rows leave in the order they were opened; the first one still young stops the walk.
    mutating func drainStale(now: UInt64, into rows: inout [JobRow]) {
        while openOrderHead < openOrder.count {
            let entry = openOrder[openOrderHead]
            if open[entry.index].serial == entry.serial {
                let openedAt = open[entry.index].openedAt
                let openedTrace = open[entry.index].openedTrace
                let oldByWriter = now &- openedAt >= holdNanos || openedAt > now
                let oldByTrace = latestTrace >= openedTrace && latestTrace - openedTrace >= holdNanos
                guard oldByWriter || oldByTrace else { break }
                rows.append(open[entry.index].row)
                release(open[entry.index].key, entry.index)
            }
            openOrderHead += 1
        }
        if openOrderHead == openOrder.count {
            openOrder.removeAll(keepingCapacity: true)
            openOrderHead = 0
        } else if openOrderHead >= 4096, openOrderHead * 2 >= openOrder.count {
            openOrder.removeFirst(openOrderHead)
            openOrderHead = 0
        }
    }

    /// Every held row, in the order they were opened (the recording ends).
    mutating func drainAll(into rows: inout [JobRow]) {
        drainStale(now: .max, into: &rows)
        // Every held row has an `openOrder` entry, so none is left; were one left, it is written, never lost.
        for index in open.indices.sorted(by: { open[$0].serial < open[$1].serial }) where open[index].serial != 0 {
            rows.append(open[index].row)
            release(open[index].key, index)
        }
        open.removeAll(keepingCapacity: true)
        free.removeAll(keepingCapacity: true)
    }
}

extension TaskState {
    /// Whether this state ends a job (and so closes its `job_log` row): suspended or terminal.
    var isJobEnd: Bool { self != .created && self != .scheduled && self != .running }
}
