import TaskTraceStore
import Testing

/// The reader's own decoder of version 3's batch text: it reads what tasktrace writes (integers, nulls, white space
/// anywhere, as JSON allows) and refuses everything else as damage (an error, never a guess or a crash), even JSON
/// that SQLite's views would still read (`1.5`, `"1"`); `tasktrace check` reports those batches (`bad_batch`,
/// DamagedTraceTests).
@Suite("Job batch text decoding")
struct JobBatchDecodingTests {
    static func decode(_ text: String, maxElements: Int = 10) throws -> [[Int64?]] {
        var jobs: [[Int64?]] = []
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            try JobBatchDecoding.forEachJob(in: UnsafeBufferPointer(buffer), maxElements: maxElements) { elements in
                // Trailing nils are "missing", as the view reads them: compare without them.
                var job = Array(elements)
                while let last = job.last, last == nil { job.removeLast() }
                jobs.append(job)
            }
        }
        return jobs
    }

    @Test("well-formed batches, white space anywhere, the Int64 extremes")
    func accepted() throws {
        #expect(try Self.decode("[]") == [])
        #expect(try Self.decode("[[]]") == [[]])
        #expect(try Self.decode("[[7,0,1,5210,2,8800,3,2],[9,310]]") == [[7, 0, 1, 5210, 2, 8800, 3, 2], [9, 310]])
        #expect(try Self.decode(" [ [ 1 , null ,\n-3 ] ,\t[ 2 ] ] ") == [[1, nil, -3], [2]])
        #expect(try Self.decode("[[-9223372036854775808,9223372036854775807,0]]") == [[Int64.min, Int64.max, 0]])
        #expect(try Self.decode("[[1,null,null]]") == [[1]])
    }

    @Test("a missing required element, or more jobs than a batch may hold, is an error")
    func limits() throws {
        #expect(throws: JobBatchDecoding.DecodingError.self) {
            var bytes = Array("[[1,null,5]]".utf8)
            try bytes.withUnsafeMutableBufferPointer { buffer in
                try JobBatchDecoding.forEachJob(in: UnsafeBufferPointer(buffer), maxElements: 3, requiredElements: 3) { _ in }
            }
        }
        #expect(throws: JobBatchDecoding.DecodingError.self) {
            var bytes = Array("[[1],[2],[3]]".utf8)
            try bytes.withUnsafeMutableBufferPointer { buffer in
                try JobBatchDecoding.forEachJob(in: UnsafeBufferPointer(buffer), maxElements: 1, maxJobs: 2) { _ in }
            }
        }
        #expect(try Self.decode("[[1,2,3]]", maxElements: 3) == [[1, 2, 3]])
    }

    @Test("anything else is an error", arguments: [
        "", "x", "[", "[[1]", "[[1]] x", "[1]", "[[1],]", "[[1,]]", "[[,1]]", "[[1.5]]", "[[1e3]]", "[[\"1\"]]",
        "[[[1]]]", "[[01]]", "[[-]]", "[[nul]]", "[[true]]", "[[9223372036854775808]]", "[[-9223372036854775809]]",
        "[[1,2,3,4,5,6,7,8,9,10,11]]", "{\"a\":1}",
    ])
    func rejected(_ text: String) {
        #expect(throws: JobBatchDecoding.DecodingError.self) { _ = try Self.decode(text) }
    }
}
