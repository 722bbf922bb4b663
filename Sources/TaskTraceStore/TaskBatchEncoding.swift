package import TaskTraceModel

/// How format version 4 stores tasks: each task's first record as one element of a `task_batches` row's JSON
/// array, which the `tasks` view unpacks with `json_each` (docs/schema.md). Records learnt later (a name, an error)
/// go to the small `task_updates` table, which the view lays over the first ones.
///
/// Why: an upsert per task into a `tasks` table was ~30 % of the writer's CPU on the crawler-shaped workload (SQLite
/// looks the id up, then inserts it: ~800 ns a task), and skipping it lowered `overhead_realistic_vs_global` by
/// ~0.015–0.03 in five pairs of five (docs/performance.md). A batch row costs SQLite once per ~300 tasks.
///
/// A batch is `[[id, parent_id, kind, name, file, line, error], …]`: `kind` as `tasks.kind`'s text (`null` for
/// `unknown`), strings JSON-escaped, `null` for an absent value, trailing `null`s left out — an automatically
/// captured group child is `[17,1,"group_child"]`. Thread-safe (stateless).
package enum TaskBatchEncoding {
    /// Element positions of a task's array (the view's `j.value ->> N`).
    package enum Element {
        package static let id = 0, parentID = 1, kind = 2, name = 3, file = 4, line = 5, error = 6
        package static let count = 7
    }

    /// The JSON text of `tasks`, replacing `out`'s contents.
    package static func encode(_ tasks: ArraySlice<TaskRecord>, into out: inout [UInt8]) {
        var capacity = 2
        for task in tasks {
            // Brackets, commas and `null`s, the three integers, then each string at its worst (every byte
            // escaped as `\u00XX`) with its quotes.
            capacity += 2 + Element.count * 5 + 3 * JobBatchEncoding.TextCursor.maxNumberBytes
            capacity += 6 * ((task.name?.utf8.count ?? 0) + (task.file?.utf8.count ?? 0) + (task.error?.utf8.count ?? 0))
            capacity += quotedKind(task.kind).utf8CodeUnitCount + 1
        }
        JobBatchEncoding.write(into: &out, atMost: capacity) { text in
            text.byte(UInt8(ascii: "["))
            var first = true
            for task in tasks {
                if !first { text.byte(UInt8(ascii: ",")) }
                first = false
                encode(task, into: &text)
            }
            text.byte(UInt8(ascii: "]"))
        }
    }

    private static func encode(_ task: TaskRecord, into text: inout JobBatchEncoding.TextCursor) {
        // Elements in order; a missing one is written as `null` only when a later one follows.
        var nulls = 0
        func separate() {
            for _ in 0..<nulls { text.bytes(",null") }
            nulls = 0
            text.byte(UInt8(ascii: ","))
        }
        func integer(_ value: Int64?) {
            guard let value else { return nulls += 1 }
            separate()
            text.decimal(value)
        }
        func string(_ value: String?) {
            guard let value else { return nulls += 1 }
            separate()
            quoted(value, into: &text)
        }
        text.byte(UInt8(ascii: "["))
        text.decimal(Int64(bitPattern: task.id))
        integer(task.parentID.map { Int64(bitPattern: $0) })
        if task.kind == .unknown {
            nulls += 1
        } else {
            separate()
            text.bytes(quotedKind(task.kind))
        }
        string(task.name)
        string(task.file)
        integer(task.line.map { Int64($0) })
        string(task.error)
        text.byte(UInt8(ascii: "]"))
    }

    /// A kind's text as a JSON string, written as is (no escaping to look for).
    private static func quotedKind(_ kind: TaskKind) -> StaticString {
        switch kind {
        case .root: #""root""#
        case .spawned: #""spawned""#
        case .groupChild: #""group_child""#
        case .asyncLet: #""async_let""#
        case .blocking: #""blocking""#
        case .unknown: #""unknown""#
        }
    }

    /// `value` as a JSON string: `"` and `\` escaped, control characters as `\u00XX`, every other byte as is
    /// (a Swift string is valid UTF-8).
    private static func quoted(_ value: String, into text: inout JobBatchEncoding.TextCursor) {
        text.byte(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                text.byte(UInt8(ascii: "\\"))
                text.byte(byte)
            case ..<0x20:
                text.bytes("\\u00")
                text.byte(hexDigit(byte >> 4))
                text.byte(hexDigit(byte & 0xF))
            default:
                text.byte(byte)
            }
        }
        text.byte(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
