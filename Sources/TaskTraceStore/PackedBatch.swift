public import TaskTraceModel

/// One write's rows as they go into the file: transitions already packed into `job_log` rows.
///
/// Made by `TraceBatchPacker` (CPU work: finding each job's row) and committed by `TraceWriter.commit(_:)` (SQLite
/// work). Keeping the two apart lets the SQLite sink pack on the recorder's writer thread while a store thread
/// commits the previous batch. Thread-safe (a value type).
package struct PackedBatch: Sendable {
    package var rows: [JobRow] = []
    package var tasks: [TaskRecord] = []
    package var threads: [ThreadRecord] = []
    package var marks: [MarkRecord] = []
    package var untrackedJobs: [UntrackedJobRecord] = []

    package init() {}

    package var isEmpty: Bool {
        rows.isEmpty && tasks.isEmpty && threads.isEmpty && marks.isEmpty && untrackedJobs.isEmpty
    }
}

/// Turns `TraceBatch`es into `PackedBatch`es, holding each unfinished job's row until the job ends or the row is
/// `holdNanos` old (see `JobRowPacker`).
///
/// Not thread-safe: one thread packs, in batch order.
package struct TraceBatchPacker: Sendable {
    private var packer: JobRowPacker

    package init(holdNanos: UInt64) {
        packer = JobRowPacker(holdNanos: holdNanos)
    }

    /// Job rows held, waiting for their job's end.
    package var heldCount: Int { packer.heldCount }

    /// Packs `batch`, plus the held rows older than the hold at `now` (monotonic nanoseconds).
    package mutating func pack(_ batch: TraceBatch, now: UInt64) -> PackedBatch {
        var packed = PackedBatch()
        var marks = batch.marks
        packer.absorbInferredMarks(&marks)
        packer.pack(batch.transitions, slots: batch.transitionSlots, now: now, into: &packed.rows)
        packer.drainStale(now: now, into: &packed.rows)
        packed.marks = marks + packer.unabsorbedMarks()
        packed.tasks = batch.tasks
        packed.threads = batch.threads
        packed.untrackedJobs = batch.untrackedJobs
        return packed
    }

    /// Everything still held, at the end of the recording.
    package mutating func packRemaining() -> PackedBatch {
        var packed = PackedBatch()
        packer.drainAll(into: &packed.rows)
        packed.marks = packer.unabsorbedMarks()
        return packed
    }
}
