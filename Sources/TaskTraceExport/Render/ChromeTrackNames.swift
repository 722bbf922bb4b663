import TaskTraceModel

/// Every task track's name as the Chrome export writes it: `TimelineTask.displayName` as a JSON string, quotes
/// included (`"group child #2620563"`), all in one byte array.
///
/// Each name is written once, straight from the task's fields, and copied into the output twice (the track's
/// `thread_name`, and with `--worker-lanes` each lane slice's name); `ChromeTrackOrder` compares neighbours. One
/// array for all of them instead of a `String` and an `[UInt8]` per task (two allocations and a byte-by-byte escape
/// per task: most of what naming 100k tracks cost).
///
/// Thread-safe (a value type).
struct ChromeTrackNames: Sendable {
    /// The names, one after another.
    private var bytes: [UInt8]
    /// `ends[i]`: where the name of the track at tree position `i` ends in `bytes` (it starts at `ends[i - 1]`, or 0).
    private var ends: [Int]

    init(_ tasks: [TimelineTask]) {
        var writer = ByteWriter.collecting()
        var ends: [Int] = []
        ends.reserveCapacity(tasks.count)
        for index in tasks.indices {
            // The three fields, not the task: passing `tasks[index]` copies it (and retains its strings).
            Self.writeName(name: tasks[index].name, kind: tasks[index].kind, id: tasks[index].id, to: &writer)
            ends.append(writer.byteCount)
        }
        self.ends = ends
        bytes = writer.bytes
    }

    /// Number of names (of tasks).
    var count: Int { ends.count }

    /// Calls `body` with the name of the track at tree position `index`, as written (JSON, quotes included).
    func withName<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Appends the name of the track at tree position `index` to `out`.
    func write(_ index: Int, to out: inout ByteWriter) {
        withName(index) { out.write(buffer: $0) }
    }

    /// A task's `displayName` as a JSON string, from its parts: the name (escaped, in runs) or the kind's label, ` #`,
    /// and the id's label (`TaskIDText.label`: `42`, or `b1` for blocking-pool work). `ChromeTrackNamesTests`
    /// holds it equal to `ByteWriter.jsonStringBytes(task.displayName)`.
    static func writeName(name: String?, kind: TaskKind, id: TraceTaskID, to out: inout ByteWriter) {
        out.write(byte: UInt8(ascii: "\""))
        if let name {
            out.writeJSONStringContent(name)
        } else {
            out.write(TimelineTask.unnamedLabel(kind))
        }
        out.write(" #")
        if let number = TaskIDText.blockingNumber(id) {
            out.write("b")
            out.writeDecimal(number)
        } else {
            out.writeDecimal(id)
        }
        out.write(byte: UInt8(ascii: "\""))
    }
}
