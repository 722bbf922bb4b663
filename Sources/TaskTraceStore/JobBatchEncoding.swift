public import TaskTraceModel

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
    /// Most jobs in one `job_batches` row.
    package static let maxJobsPerBatch = 512
    /// Spacing of `job_log.seq` between batches: the view numbers a job `(batch seq - 1) * seqStride + index + 1`,
    /// so the first batch's jobs are 1, 2, 3… as version 2's rows were.
    package static let seqStride = 1024

    /// Element positions of a job's array (the view's `j.value ->> N`).
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

    /// Appends the JSON text of `rows` with times relative to `base` to `out`.
    package static func encode(_ rows: ArraySlice<JobRow>, base: TraceNanos, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for row in rows {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            encode(row, base: Int64(bitPattern: base), into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    @inline(__always)
    private static func encode(_ row: JobRow, base: Int64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: Element.count) { values in
            var present: UInt16 = 0
            @inline(__always) func set(_ element: Int, _ value: Int64) {
                values[element] = value
                present |= 1 << element
            }
            set(Element.taskID, Int64(bitPattern: row.taskID))
            if let scheduled = row.scheduled { set(Element.scheduled, Int64(bitPattern: scheduled) &- base) }
            if (row.created != nil || row.scheduled != nil) && row.fromThread != 0 {
                set(Element.fromThread, Int64(row.fromThread))
            }
            if let running = row.running {
                set(Element.running, Int64(bitPattern: running) &- base)
                if row.threadID != 0 { set(Element.threadID, Int64(row.threadID)) }
            }
            if let end = row.end {
                set(Element.end, Int64(bitPattern: end) &- base)
                if row.endThread != 0 { set(Element.endThread, Int64(row.endThread)) }
            }
            if let endState = row.endState { set(Element.endCode, Int64(endState.rawValue)) }
            if let created = row.created { set(Element.created, Int64(bitPattern: created) &- base) }
            if row.endInferred { set(Element.endInferred, 1) }
            let count = UInt16.bitWidth - present.leadingZeroBitCount
            out.append(UInt8(ascii: "["))
            for element in 0..<count {
                if element > 0 { out.append(UInt8(ascii: ",")) }
                if present & (1 << element) != 0 {
                    appendDecimal(values[element], to: &out)
                } else {
                    out.append(contentsOf: nullText)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// The earliest start in `jobs` (an `untracked_batches` row's `base_ns`), or 0 for none.
    package static func base(of jobs: ArraySlice<UntrackedJobRecord>) -> TraceNanos {
        jobs.lazy.map(\.start).min() ?? 0
    }

    /// Appends `[[thread_id, start, end], …]` for `jobs`, times relative to `base`, to `out`.
    package static func encode(_ jobs: ArraySlice<UntrackedJobRecord>, base: TraceNanos, into out: inout [UInt8]) {
        let base = Int64(bitPattern: base)
        out.append(UInt8(ascii: "["))
        var first = true
        for job in jobs {
            out.append(contentsOf: first ? openElement : nextElement)
            first = false
            appendDecimal(Int64(job.threadID), to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimal(Int64(bitPattern: job.start) &- base, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimal(Int64(bitPattern: job.end) &- base, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    private static let openElement: [UInt8] = Array("[".utf8)
    private static let nextElement: [UInt8] = Array(",[".utf8)
    private static let nullText: [UInt8] = Array("null".utf8)

    /// Appends `value` in decimal, without allocating.
    @inline(__always)
    package static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            out.append(UInt8(truncatingIfNeeded: magnitude) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64's 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[23 - count] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
                magnitude /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }
}
