package import TaskTraceModel

/// Reads the JSON text of a `task_batches` row (see `TaskBatchEncoding`) without SQLite's JSON functions: the
/// reader's fast path, as `JobBatchDecoding` is for jobs.
///
/// It accepts what tasktrace writes — an array of tasks, each an array of at most seven elements in
/// `TaskBatchEncoding.Element` order (integers or `null` where integers go, strings or `null` where strings go,
/// the id present), white space between tokens — and rejects anything else as damage with
/// `JobBatchDecoding.DecodingError`. A kind text this build does not know reads as `unknown`. Thread-safe
/// (stateless).
package enum TaskBatchDecoding {
    /// Calls `task` once per task of `text`, in order.
    package static func forEachTask(
        in text: UnsafeBufferPointer<UInt8>, _ task: (TaskRecord) throws -> Void
    ) throws {
        typealias E = TaskBatchEncoding.Element
        var reader = BatchTextReader(text: text)
        try reader.readWholeArray { reader in
            try reader.expect(UInt8(ascii: "["))
            guard let id = try reader.integerOrNull() else { throw reader.failure }
            var record = TaskRecord(id: TraceTaskID(bitPattern: id))
            var index = 1
            while try reader.consume(UInt8(ascii: ",")) {
                switch index {
                case E.parentID: record.parentID = try reader.integerOrNull().map { TraceTaskID(bitPattern: $0) }
                case E.kind: record.kind = try reader.stringOrNull().flatMap(TaskKind.init(rawValue:)) ?? .unknown
                case E.name: record.name = try reader.stringOrNull()
                case E.file: record.file = try reader.stringOrNull()
                case E.line: record.line = try reader.integerOrNull().map { Int(truncatingIfNeeded: $0) }
                case E.error: record.error = try reader.stringOrNull()
                default: throw reader.failure
                }
                index += 1
            }
            try reader.expect(UInt8(ascii: "]"))
            try task(record)
        }
    }
}
