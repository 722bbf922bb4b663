/// Reads the JSON text of a `job_batches` or `untracked_batches` row (see `JobBatchEncoding`) without SQLite's JSON
/// functions: the reader's fast path, ~10× faster than the `job_log` view for a whole trace.
///
/// It accepts what the view accepts of the format tasktrace writes — an array of arrays of integers and `null`s,
/// white space anywhere between tokens — and rejects anything else (a number with a fraction, a string, a nested
/// array, more than `maxElements` elements in a job, an integer beyond Int64) as damage, with `DecodingError`.
/// Missing trailing elements are `nil`, as the view's `json_extract` gives NULL. Thread-safe (stateless).
package enum JobBatchDecoding {
    /// One table of batches and the elements each of its jobs may and must have (see `forEachJob`): the reader and
    /// `tasktrace check` decode with the same limits.
    package struct Table: Sendable {
        package let name: String
        package let maxElements: Int
        package let requiredElements: Int
    }

    /// `job_batches`: a job row's ten elements, the task id required.
    package static let jobBatches = Table(
        name: "job_batches", maxElements: JobBatchEncoding.Element.count, requiredElements: 1)
    /// `untracked_batches`: thread, start and end, all required.
    package static let untrackedBatches = Table(name: "untracked_batches", maxElements: 3, requiredElements: 3)

    /// The batch text is not what tasktrace writes; `offset` is the byte where reading stopped.
    package struct DecodingError: Error, Sendable {
        package var offset: Int
    }

    /// Calls `job` once per job of `text`, in order, with its elements (`nil` for `null` or missing), up to
    /// `maxElements` of them (more is an error). The first `requiredElements` must be present and not `null` (a
    /// job's task id; an untracked job's thread and times: NOT NULL columns in version 2), and a batch holds at most
    /// `maxJobs` jobs (more would give two jobs one `seq` in the views).
    package static func forEachJob(
        in text: UnsafeBufferPointer<UInt8>, maxElements: Int, requiredElements: Int = 0,
        maxJobs: Int = JobBatchEncoding.seqStride, _ job: (_ elements: UnsafeBufferPointer<Int64?>) throws -> Void
    ) throws {
        var jobs = 0
        var reader = BatchTextReader(text: text)
        try withUnsafeTemporaryAllocation(of: Int64?.self, capacity: maxElements) { elements in
            try reader.readWholeArray { reader in
                try reader.expect(UInt8(ascii: "["))
                for index in 0..<maxElements { elements[index] = nil }
                if try !reader.consume(UInt8(ascii: "]")) {
                    var count = 0
                    repeat {
                        guard count < maxElements else { throw reader.failure }
                        elements[count] = try reader.integerOrNull()
                        count += 1
                    } while try reader.consume(UInt8(ascii: ","))
                    try reader.expect(UInt8(ascii: "]"))
                }
                jobs += 1
                guard jobs <= maxJobs, (0..<requiredElements).allSatisfy({ elements[$0] != nil }) else {
                    throw reader.failure
                }
                try job(UnsafeBufferPointer(elements))
            }
        }
    }
}
