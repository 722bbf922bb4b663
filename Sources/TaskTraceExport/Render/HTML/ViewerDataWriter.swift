import TaskTraceModel

/// Writes a `Timeline` as the viewer's data: one JSON object of columns (arrays of numbers) and a string table,
/// about 10 bytes per state segment, decoded by `web/src/data.js`. docs/viewer.md describes the format.
///
/// Segments are written per task in tree order as *entries*: `dt` (start minus the previous entry's start, the
/// first one minus the task's creation) and `code` (state + 8 × thread). An entry ends where the next one
/// starts; a task's last entry lasts `tasks.last`. A gap between two segments (only in damaged traces, where a
/// transition follows a terminal one) is an entry with state 7, which the viewer does not draw. So the file
/// holds exactly the model's segments, in far fewer bytes than one object per segment.
///
/// Every string is JSON-escaped and `<`, `>`, `&` are written as `\u003c`, `\u003e`, `\u0026`: the data sits in
/// a `<script type="application/json">` element and no trace text can end it or become markup.
///
/// Thread-safe (stateless).
enum ViewerDataWriter {
    /// Entry state of a gap between two segments of one task (not drawn).
    static let gapState = 7

    /// Writes the JSON object to `out`.
    static func write(
        _ timeline: Timeline, palette: StatePalette, findings: [Finding] = [], criticalPaths: [CriticalPath] = [],
        to out: inout ByteWriter
    ) throws {
        var strings = ViewerStringTable()
        var body = ByteWriter.collecting()
        writeTasks(timeline, strings: &strings, to: &body)
        try out.flushIfNeeded()
        body.write(",\n\"segments\":")
        writeSegments(timeline, to: &body)
        body.write(",\n\"marks\":")
        writeMarks(timeline, strings: &strings, to: &body)
        body.write(",\n\"threads\":")
        writeThreads(timeline, strings: &strings, to: &body)
        body.write(",\n\"jobs\":")
        writeJobs(timeline, to: &body)

        out.write("{\"format\":1,\n\"title\":")
        out.writeHTMLSafeJSONString(timeline.meta[MetaKey.command] ?? "trace")
        out.write(",\"start\":")
        out.writeDecimal(timeline.start)
        out.write(",\"end\":")
        out.writeDecimal(timeline.end)
        out.write(",\"traceEnd\":")
        out.writeDecimal(timeline.traceEnd)
        out.write(",\"transitions\":")
        out.writeDecimal(timeline.transitionCount)
        out.write(",\"omittedTasks\":")
        out.writeDecimal(timeline.omittedTaskCount)
        out.write(",\"windowed\":")
        out.write(timeline.options.from != nil || timeline.options.to != nil ? "true" : "false")
        out.write(",\"filter\":")
        writeOptionalString(timeline.options.nameFilter, to: &out)
        out.write(",\n\"meta\":[")
        for (index, entry) in timeline.meta.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.write(",") }
            out.write("[")
            out.writeHTMLSafeJSONString(entry.key)
            out.write(",")
            out.writeHTMLSafeJSONString(entry.value)
            out.write("]")
        }
        out.write("],\n\"integrity\":{\"summary\":")
        writeOptionalString(timeline.integrity.summary, to: &out)
        out.write(",\"problems\":[")
        for (index, counter) in timeline.integrity.problems.enumerated() {
            if index > 0 { out.write(",") }
            out.write("[")
            out.writeHTMLSafeJSONString(counter.key)
            out.write(",")
            out.writeDecimal(counter.count)
            out.write(",")
            out.writeHTMLSafeJSONString(counter.meaning)
            out.write("]")
        }
        out.write("]},\n\"palette\":{\"states\":[")
        out.writeUnescaped(TaskState.allCases.map { "\"\(palette[$0].hex)\"" }.joined(separator: ","))
        out.write("],\"untracked\":\"")
        out.writeUnescaped(palette.untrackedJob.hex)
        out.write("\"},\n\"states\":[")
        out.writeUnescaped(TaskState.allCases.map { "\"\($0.name)\"" }.joined(separator: ","))
        out.write("],\"kinds\":[")
        out.writeUnescaped(TaskKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ","))
        out.write("],\n\"findings\":[")
        writeFindings(findings, to: &out)
        out.write("],\n\"criticalPaths\":[")
        ViewerCriticalPathWriter.write(criticalPaths, taskCount: timeline.tasks.count, to: &out)
        out.write("],\n\"tasks\":")
        out.write(bytes: body.bytes)
        out.write(",\n\"strings\":[")
        for (index, text) in strings.strings.enumerated() {
            if index > 0 { out.write(",") }
            out.writeHTMLSafeJSONString(text)
            if index & 1023 == 0 { try out.flushIfNeeded() }
        }
        out.write("]}")
        try out.flushIfNeeded()
    }

    /// Lint findings as the findings panel reads them: `{title, detail, task, rule, severity, time, duration?}`
    /// (task: an index into the tasks; time and duration in ns; duration only when the finding has a length).
    private static func writeFindings(_ findings: [Finding], to out: inout ByteWriter) {
        for (index, finding) in findings.enumerated() {
            if index > 0 { out.write(",") }
            out.write("{\"title\":")
            out.writeHTMLSafeJSONString("\(finding.severity.name) · \(finding.rule.rawValue)")
            out.write(",\"detail\":")
            out.writeHTMLSafeJSONString("\(finding.message) Fix: \(finding.suggestion)")
            out.write(",\"task\":")
            out.writeDecimal(UInt64(finding.taskIndex))
            out.write(",\"rule\":")
            out.writeHTMLSafeJSONString(finding.rule.rawValue)
            out.write(",\"severity\":")
            out.writeHTMLSafeJSONString(finding.severity.name)
            out.write(",\"time\":")
            out.writeDecimal(finding.time)
            if let duration = finding.duration {
                out.write(",\"duration\":")
                out.writeDecimal(duration)
            }
            out.write("}")
        }
    }

    private static func writeOptionalString(_ text: String?, to out: inout ByteWriter) {
        if let text { out.writeHTMLSafeJSONString(text) } else { out.write("null") }
    }

    /// Task ids above 2^53 do not survive a JavaScript number: those are written as strings.
    private static func writeTaskID(_ id: TraceTaskID, to out: inout ByteWriter) {
        if id <= 1 << 53 {
            out.writeDecimal(id)
        } else {
            out.write("\"")
            out.writeDecimal(id)
            out.write("\"")
        }
    }

    private static func writeTasks(_ timeline: Timeline, strings: inout ViewerStringTable, to out: inout ByteWriter) {
        let tasks = timeline.tasks
        let kinds = TaskKind.allCases
        out.write("{\"id\":")
        column(tasks, to: &out) { task, _, out in writeTaskID(task.id, to: &out) }
        out.write(",\n\"parent\":")
        // Distance back to the parent's row (tree order puts the parent first); 0 for none.
        column(tasks, to: &out) { task, index, out in out.writeDecimal(task.parentIndex.map { index - $0 } ?? 0) }
        out.write(",\n\"missingParent\":[")
        var first = true
        for (index, task) in tasks.enumerated() where task.parentIndex == nil && task.parentID != nil {
            if !first { out.write(",") }
            first = false
            out.write("[")
            out.writeDecimal(index)
            out.write(",\"")
            out.writeDecimal(task.parentID ?? 0)
            out.write("\"]")
        }
        out.write("],\n\"name\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(strings.reference(task.name)) }
        out.write(",\n\"kind\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(kinds.firstIndex(of: task.kind) ?? 0) }
        out.write(",\n\"site\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(strings.reference(task.spawnSite)) }
        out.write(",\n\"error\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(strings.reference(task.error)) }
        out.write(",\n\"created\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(task.createdAt ?? 0) }
        out.write(",\n\"life\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(task.lifetime) }
        out.write(",\n\"final\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(task.finalState.map { Int($0.rawValue) + 1 } ?? 0) }
        out.write(",\n\"flags\":")
        column(tasks, to: &out) { task, _, out in
            out.writeDecimal((task.isUnfinished ? 1 : 0) | (task.outcomeInferred ? 2 : 0) | (task.createdAt == nil ? 4 : 0))
        }
        out.write(",\n\"entries\":")
        column(tasks, to: &out) { task, _, out in out.writeDecimal(entryCount(timeline, task)) }
        out.write(",\n\"last\":")
        column(tasks, to: &out) { task, _, out in
            let segments = timeline.segments
            out.writeDecimal(task.segments.last.map { segments.ends[$0] - min(segments.starts[$0], segments.ends[$0]) } ?? 0)
        }
        out.write("}")
    }

    /// Segments of `task` plus one gap entry wherever a segment does not start where the previous one ended.
    private static func entryCount(_ timeline: Timeline, _ task: TimelineTask) -> Int {
        var count = task.segments.count
        for row in task.segments.dropFirst() where timeline.segments.starts[row] > timeline.segments.ends[row - 1] {
            count += 1
        }
        return count
    }

    private static func writeSegments(_ timeline: Timeline, to out: inout ByteWriter) {
        let segments = timeline.segments
        var deltas = ByteWriter.collecting()
        var codes = ByteWriter.collecting()
        var first = true
        func entry(_ delta: UInt64, _ code: UInt64) {
            if !first {
                deltas.write(",")
                codes.write(",")
            }
            first = false
            deltas.writeDecimal(delta)
            codes.writeDecimal(code)
        }
        for task in timeline.tasks {
            var previousStart = task.createdAt ?? 0
            for row in task.segments {
                let start = segments.starts[row]
                if row > task.segments.lowerBound, start > segments.ends[row - 1] {
                    let gapStart = segments.ends[row - 1]
                    entry(gapStart &- min(previousStart, gapStart), UInt64(gapState))
                    previousStart = gapStart
                }
                entry(start &- min(previousStart, start), UInt64(segments.states[row].rawValue) + 8 * UInt64(segments.threads[row]))
                previousStart = max(previousStart, start)
            }
        }
        out.write("{\"dt\":[")
        out.write(bytes: deltas.bytes)
        out.write("],\n\"code\":[")
        out.write(bytes: codes.bytes)
        out.write("]}")
    }

    private static func writeMarks(_ timeline: Timeline, strings: inout ViewerStringTable, to out: inout ByteWriter) {
        let marks = timeline.marks
        var indexByID: [TraceTaskID: Int] = [:]
        for (index, task) in timeline.tasks.enumerated() { indexByID[task.id] = index }
        out.write("{\"task\":")
        column(marks, to: &out) { mark, _, out in out.writeDecimal(mark.taskIndex.map { $0 + 1 } ?? 0) }
        out.write(",\"ts\":")
        column(marks, to: &out) { mark, _, out in out.writeDecimal(mark.timestamp) }
        out.write(",\"kind\":")
        column(marks, to: &out) { mark, _, out in out.writeDecimal(strings.reference(mark.kind)) }
        out.write(",\"detail\":")
        column(marks, to: &out) { mark, _, out in out.writeDecimal(strings.reference(mark.detail)) }
        out.write(",\"from\":")
        column(marks, to: &out) { mark, _, out in
            let requester = mark.kind == MarkKind.cancelRequested ? CancelRequester.taskID(inDetail: mark.detail) : nil
            out.writeDecimal(requester.flatMap { indexByID[$0] }.map { $0 + 1 } ?? 0)
        }
        out.write("}")
    }

    private static func writeThreads(_ timeline: Timeline, strings: inout ViewerStringTable, to out: inout ByteWriter) {
        let threads = timeline.threads
        out.write("{\"id\":")
        column(threads, to: &out) { thread, _, out in out.writeDecimal(UInt64(thread.id)) }
        out.write(",\"name\":")
        column(threads, to: &out) { thread, _, out in out.writeDecimal(strings.reference(thread.name)) }
        out.write(",\"kind\":")
        column(threads, to: &out) { thread, _, out in out.writeDecimal(strings.reference(thread.kind.rawValue)) }
        out.write("}")
    }

    /// Untracked jobs in time order: thread, start minus the previous job's start, duration.
    private static func writeJobs(_ timeline: Timeline, to out: inout ByteWriter) {
        let jobs = timeline.untrackedJobs
        out.write("{\"thread\":")
        column(jobs, to: &out) { job, _, out in out.writeDecimal(UInt64(job.threadID)) }
        out.write(",\"dt\":")
        var previous: TraceNanos = 0
        column(jobs, to: &out) { job, _, out in
            out.writeDecimal(job.start &- min(previous, job.start))
            previous = max(previous, job.start)
        }
        out.write(",\"dur\":")
        column(jobs, to: &out) { job, _, out in out.writeDecimal(job.end &- min(job.start, job.end)) }
        out.write("}")
    }

    /// `[v0,v1,…]` with one value per element.
    private static func column<Element>(
        _ elements: [Element], to out: inout ByteWriter, _ value: (Element, Int, inout ByteWriter) -> Void
    ) {
        out.write("[")
        for (index, element) in elements.enumerated() {
            if index > 0 { out.write(",") }
            value(element, index, &out)
        }
        out.write("]")
    }
}

extension ByteWriter {
    /// A JSON string that is also safe inside an HTML `<script>` element: `<`, `>` and `&` are written as
    /// `\u003c`, `\u003e`, `\u0026`, so no text can close the element or start a comment.
    mutating func writeHTMLSafeJSONString(_ text: String) {
        for byte in ByteWriter.jsonStringBytes(text) {
            switch byte {
            case UInt8(ascii: "<"): write("\\u003c")
            case UInt8(ascii: ">"): write("\\u003e")
            case UInt8(ascii: "&"): write("\\u0026")
            default: write(byte: byte)
            }
        }
    }
}
