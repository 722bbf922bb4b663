package import TaskTraceModel

/// How format version 3 stores job rows: many `JobRow`s in one `job_batches` row, as a JSON array that SQLite's
/// built-in `json_each` unpacks in the `job_log` view (docs/schema.md).
///
/// One SQLite row per job cost ~350 ns of the writer's CPU per job (SQLite's own per-row floor, measured), more than
/// a job of a yield-heavy program costs to run; one row per batch of jobs costs a few ns per job, plus the text.
///
/// A batch is `[[task_id, scheduled, from_thread, running, thread_id, end, end_code, end_thread, created,
/// end_inferred], …]`: each job an array in that element order (the rare columns last), times relative to the
/// row's `base_ns` (the batch's earliest time, so they are short), `null` for an empty slot, trailing `null`s left
/// out. Not thread-safe: a value owned by its writer.
package enum JobBatchEncoding {
    /// Most jobs in one `job_batches` or `untracked_batches` row (readers accept up to `seqStride`).
    package static let maxJobsPerBatch = 1024
    /// The text one batch row aims at: one row filling one page of the trace (`EmptyTraceImage.pageSize`), below
    /// the largest record SQLite keeps in the page (page size − 35, less the row's other bytes) by a margin for
    /// batches longer than the one they were sized from (one that overruns just spills into an overflow page).
    package static let targetBatchBytes = EmptyTraceImage.pageSize * 95 / 100

    /// Items for the next batch, from the last full one's `bytes` of text for `items` items: about
    /// `targetBatchBytes`, within 16...`maxJobsPerBatch`.
    package static func itemsPerBatch(bytes: Int, items: Int) -> Int {
        guard bytes > 0, items > 0 else { return maxJobsPerBatch / 2 }
        return min(max(targetBatchBytes * items / bytes, 16), maxJobsPerBatch)
    }
    /// Spacing of `job_log.seq` between batches: the view numbers a job `(batch seq - 1) * seqStride + index + 1`,
    /// so the first batch's jobs are 1, 2, 3… as version 2's rows were.
    package static let seqStride = 1024

    /// Element positions of a job's array (the view's `json_extract(j.value, '$[N]')`).
    package enum Element {
        package static let taskID = 0, scheduled = 1, fromThread = 2, running = 3, threadID = 4, end = 5,
            endCode = 6, endThread = 7, created = 8, endInferred = 9
        package static let count = 10
    }

    /// The earliest time in `rows` (the batch's `base_ns`), or 0 when none has one.
    package static func base(of rows: ArraySlice<JobRow>) -> TraceNanos {
        var base = TraceNanos.max
        for row in rows {
            if let created = row.created { base = min(base, created) }
            if let scheduled = row.scheduled { base = min(base, scheduled) }
            if let running = row.running { base = min(base, running) }
            if let end = row.end { base = min(base, end) }
        }
        return base == .max ? 0 : base
    }

    /// The JSON text of `rows` with times relative to `base`, replacing `out`'s contents.
    package static func encode(_ rows: ArraySlice<JobRow>, base: TraceNanos, into out: inout [UInt8]) {
        let base = Int64(bitPattern: base)
        write(into: &out, atMost: 2 + rows.count * (2 + Element.count * TextCursor.maxNumberBytes)) { text in
            text.byte(UInt8(ascii: "["))
            var first = true
            for row in rows {
                if !first { text.byte(UInt8(ascii: ",")) }
                first = false
                encode(row, base: base, into: &text)
            }
            text.byte(UInt8(ascii: "]"))
        }
    }

    @inline(__always)
    private static func encode(_ row: JobRow, base: Int64, into text: inout TextCursor) {
        // The elements in order, each written once its predecessors are: a missing one is `null`, unless nothing
        // follows it (trailing nulls are left out), so a job writes its `null`s only when a later element comes.
        var nulls = 0
        @inline(__always) func element(_ value: Int64?) {
            guard let value else {
                nulls += 1
                return
            }
            for _ in 0..<nulls { text.bytes(",null") }
            nulls = 0
            text.byte(UInt8(ascii: ","))
            text.decimal(value)
        }
        func time(_ value: TraceNanos?) -> Int64? { value.map { Int64(bitPattern: $0) &- base } }
        text.byte(UInt8(ascii: "["))
        text.decimal(Int64(bitPattern: row.taskID))
        let hasFrom = (row.created != nil || row.scheduled != nil) && row.fromThread != 0
        element(time(row.scheduled))
        element(hasFrom ? Int64(row.fromThread) : nil)
        element(time(row.running))
        element(row.running != nil && row.threadID != 0 ? Int64(row.threadID) : nil)
        element(time(row.end))
        element(row.endState.map { Int64($0.rawValue) })
        element(row.end != nil && row.endThread != 0 ? Int64(row.endThread) : nil)
        element(time(row.created))
        element(row.endInferred ? 1 : nil)
        text.byte(UInt8(ascii: "]"))
    }

    /// The earliest start in `jobs` (an `untracked_batches` row's `base_ns`), or 0 for none.
    package static func base(of jobs: ArraySlice<UntrackedJobRecord>) -> TraceNanos {
        jobs.lazy.map(\.start).min() ?? 0
    }

    /// `[[thread_id, start, end], …]` for `jobs`, times relative to `base`, replacing `out`'s contents.
    package static func encode(_ jobs: ArraySlice<UntrackedJobRecord>, base: TraceNanos, into out: inout [UInt8]) {
        let base = Int64(bitPattern: base)
        write(into: &out, atMost: 2 + jobs.count * (2 + 3 * TextCursor.maxNumberBytes)) { text in
            text.byte(UInt8(ascii: "["))
            var first = true
            for job in jobs {
                text.bytes(first ? "[" : ",[")
                first = false
                text.decimal(Int64(job.threadID))
                text.byte(UInt8(ascii: ","))
                text.decimal(Int64(bitPattern: job.start) &- base)
                text.byte(UInt8(ascii: ","))
                text.decimal(Int64(bitPattern: job.end) &- base)
                text.byte(UInt8(ascii: "]"))
            }
            text.byte(UInt8(ascii: "]"))
        }
    }

    /// Replaces `out` with what `body` writes, into `capacity` bytes reserved up front (the caller's worst case),
    /// so no byte is checked for room.
    @inline(__always)
    static func write(into out: inout [UInt8], atMost capacity: Int, _ body: (inout TextCursor) -> Void) {
        out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            guard let start = buffer.baseAddress else { return }
            var text = TextCursor(next: start)
            body(&text)
            initialized = start.distance(to: text.next)
            precondition(initialized <= capacity, "batch text overran its reserved size")
        }
    }

    /// Writes bytes at a pointer into memory reserved for them (see `write(into:atMost:_:)`).
    struct TextCursor {
        /// A decimal Int64 with its sign, and the comma before it: at most 21 bytes.
        static let maxNumberBytes = 22
        var next: UnsafeMutablePointer<UInt8>

        @inline(__always)
        mutating func byte(_ value: UInt8) {
            next.pointee = value
            next += 1
        }

        @inline(__always)
        mutating func bytes(_ text: StaticString) {
            next.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
            next += text.utf8CodeUnitCount
        }

        /// `value` in decimal, with its sign (`DecimalDigits`).
        @inline(__always)
        mutating func decimal(_ value: Int64) {
            if value < 0 { byte(UInt8(ascii: "-")) }
            let magnitude = value.magnitude
            let count = DecimalDigits.count(magnitude)
            DecimalDigits.store(magnitude, count: count, at: next)
            next += count
        }
    }
}
