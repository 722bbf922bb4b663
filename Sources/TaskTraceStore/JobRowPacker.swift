import TaskTraceModel

/// Turns the recorder's stream of transitions into `job_log` rows, one per job where it can.
///
/// A task's open row is held until its job ends (the end slot closes a row), until a transition does not fit it
/// (see `JobRow.accepts`), or until it has been held for `holdNanos` of the writer's clock: a job queued or
/// running for long is then written as a partial row and its later transitions go into a new row, so a trace cut
/// short by a kill lacks at most that much more than one flush interval. `drainAll` writes every open row when the
/// recording ends. A task's rows leave in its transitions' order, so `seq` order is each task's recorded order.
///
/// Inferred ends: the recorder writes an `inferred_outcome` mark with a fixed detail (`InferredOutcomeDetail`)
/// in the same batch as the end it explains; `absorbInferredMarks` takes those marks out of the batch and the
/// end's row gets `endInferred` instead (one flag instead of one `mark_log` row per group child).
///
/// Not thread-safe: owned by one `TraceWriter`.
struct JobRowPacker {
    private struct OpenRow {
        var row: JobRow
        var openedAt: UInt64
        var serial: UInt64
    }

    /// Held rows, found through `openIndex`; freed entries are reused (`free`).
    private var open: [OpenRow] = []
    private var openIndex: [TraceTaskID: Int] = [:]
    private var free: [Int] = []
    /// Held rows in the order they were opened, to find those held too long without scanning them all; entries
    /// whose row has left since (another serial, or none) are skipped.
    private var openOrder: [(task: TraceTaskID, serial: UInt64, openedAt: UInt64)] = []
    private var openOrderHead = 0
    private var nextSerial: UInt64 = 0
    /// Inferred ends announced by marks of the batch being packed: task → (end time, end state).
    private var inferredEnds: [TraceTaskID: (timestamp: TraceNanos, state: TaskState)] = [:]

    let holdNanos: UInt64

    init(holdNanos: UInt64) {
        self.holdNanos = holdNanos
    }

    /// Number of rows held.
    var heldCount: Int { openIndex.count }

    /// Removes from `marks` the inferred-outcome marks that a flag on their end's row can carry; call before
    /// `pack` with the same batch. Marks whose end never comes are given back by `unabsorbedMarks()`.
    mutating func absorbInferredMarks(_ marks: inout [MarkRecord]) {
        guard marks.contains(where: { $0.kind == MarkKind.inferredOutcome }) else { return }
        marks.removeAll { mark in
            guard mark.kind == MarkKind.inferredOutcome, let task = mark.taskID, inferredEnds[task] == nil else {
                return false
            }
            let state: TaskState
            switch mark.detail {
            case InferredOutcomeDetail.parentEnded: state = .done
            case InferredOutcomeDetail.parentEndedCancelRequested: state = .cancelled
            default: return false
            }
            inferredEnds[task] = (mark.timestamp, state)
            return true
        }
    }

    /// The absorbed marks whose end was not in the batch (not expected from the recorder; kept, never lost).
    mutating func unabsorbedMarks() -> [MarkRecord] {
        defer { inferredEnds.removeAll(keepingCapacity: true) }
        return inferredEnds.map { task, end in
            MarkRecord(
                taskID: task, timestamp: end.timestamp, kind: MarkKind.inferredOutcome,
                detail: InferredOutcomeDetail.detail(for: end.state)
            )
        }
    }

    /// Adds transitions in recorded order; rows that are complete go to `rows`.
    mutating func pack(_ transitions: [TransitionRecord], now: UInt64, into rows: inout [JobRow]) {
        for transition in transitions {
            add(transition, now: now, into: &rows)
        }
    }

    @inline(__always)
    private mutating func add(_ transition: TransitionRecord, now: UInt64, into rows: inout [JobRow]) {
        let id = transition.taskID
        if let index = openIndex[id] {
            if open[index].row.accepts(transition) {
                open[index].row.store(transition)
                if transition.state.isJobEnd {
                    var row = open[index].row
                    markInferred(&row, transition)
                    rows.append(row)
                    release(id, index)
                }
                return
            }
            rows.append(open[index].row)
            release(id, index)
        }
        var row = JobRow(taskID: id)
        row.store(transition)
        if transition.state.isJobEnd {
            markInferred(&row, transition)
            rows.append(row)
            return
        }
        nextSerial += 1
        let entry = OpenRow(row: row, openedAt: now, serial: nextSerial)
        if let reused = free.popLast() {
            open[reused] = entry
            openIndex[id] = reused
        } else {
            open.append(entry)
            openIndex[id] = open.count - 1
        }
        openOrder.append((id, nextSerial, now))
    }

    @inline(__always)
    private mutating func release(_ id: TraceTaskID, _ index: Int) {
        openIndex[id] = nil
        open[index].serial = 0
        free.append(index)
    }

    @inline(__always)
    private mutating func markInferred(_ row: inout JobRow, _ end: TransitionRecord) {
        guard !inferredEnds.isEmpty, let inferred = inferredEnds[end.taskID], inferred.timestamp == end.timestamp,
            inferred.state == end.state
        else { return }
        row.endInferred = true
        inferredEnds[end.taskID] = nil
    }

    /// Rows held for at least `holdNanos` by `now`, removed from the held set (partial rows).
    mutating func drainStale(now: UInt64, into rows: inout [JobRow]) {
        while openOrderHead < openOrder.count {
            let entry = openOrder[openOrderHead]
            if let index = openIndex[entry.task], open[index].serial == entry.serial {
                let openedAt = open[index].openedAt
                guard now &- openedAt >= holdNanos || openedAt > now else { break }
                rows.append(open[index].row)
                release(entry.task, index)
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
        for (id, index) in openIndex.sorted(by: { open[$0.value].serial < open[$1.value].serial }) {
            rows.append(open[index].row)
            release(id, index)
        }
        open.removeAll(keepingCapacity: true)
        free.removeAll(keepingCapacity: true)
    }
}

extension TaskState {
    /// Whether this state ends a job (and so closes its `job_log` row): suspended or terminal.
    var isJobEnd: Bool { self != .created && self != .scheduled && self != .running }
}
