import TaskTraceModel

/// Writes a `Timeline` as Chrome Trace Event Format JSON that Perfetto and chrome://tracing load cleanly.
///
/// Layout: process 1 "Tasks" has one thread track per task (tid = 1 + tree position, named `name #id`, listed in
/// tree order: see `ChromeTrackOrder` for the few `thread_sort_index` events catapult needs), one `X` slice per
/// state segment that lasts (`name` = the state), and one v1 flow (`s` on the parent, `f` with `"bp":"e"` on the
/// child, `cat` = `spawn`) per task whose parent is in the timeline and has at most
/// `ChromeExportOptions.flowFanOutLimit` children, bound at `Timeline.spawnLink(ofTask:)`. Terminal states get no
/// slice.
///
/// Nothing invisible and nothing twice: a zero-duration segment (typically `created`, often `scheduled`) draws
/// nothing in either viewer, so it gets no slice, except that a task whose every segment has zero duration keeps
/// its first one (it still needs a track and its args). What never changes along a track is written once per
/// track: the task's name and id are the track's name, and its static args (parent, kind unless the name says it,
/// spawn site, outcome, error, marks such as cancellation requests; `children`/`arrows` when its spawn arrows were
/// omitted) are the args of the track's first slice. Other slices carry only what varies: `thread` on a running
/// slice (the thread that ran it; names in `otherData`), and `unfinished` on an open last one. Lint findings, when
/// passed, are the only instant events: one per finding on its task's track.
/// With `ChromeExportOptions.workerLanes`, process 2 "Threads" has one track per worker thread with the running
/// segments that last (named after the task) and untracked jobs ("untracked job": a default actor's, or the
/// one `Task.yield()` adds); with `stateColors`, every slice
/// has the `cname` of its state. Metadata, trace-wide marks, thread names, the dropped-event count and what was
/// omitted (`export.reductions`) go to `otherData`; dropped events also appear as a `process_labels` label on
/// "Tasks". Timestamps are µs with at most 3 decimals (exact ns). See docs/export.md.
///
/// Thread-safe (stateless); the `ByteWriter` passed in belongs to the caller.
public enum ChromeTraceExporter {
    /// Writes the whole JSON document to `out`, flushing in chunks; the caller flushes at the end.
    /// - Throws: whatever `out`'s sink throws.
    /// - Parameters:
    ///   - findings: lint findings to show as instant events (`ph:"i"`, `s:"t"`, `cat:"finding"`) on their
    ///     task's track, e.g. `timeline.findings()`; none by default.
    ///   - options: which spawn arrows to draw (by default none for a parent with more than 64 children), and
    ///     whether to add the worker lanes and the state colours (by default neither).
    public static func write(
        _ timeline: Timeline, to out: inout ByteWriter, palette: StatePalette = .standard, findings: [Finding] = [],
        options: ChromeExportOptions = ChromeExportOptions()
    ) throws {
        let tasks = timeline.tasks
        // A parent over the fan-out limit gets no arrows; its static args say so (and list its children's tracks).
        let omitsArrows: (Int) -> Bool = { parent in
            guard let limit = options.flowFanOutLimit else { return false }
            return tasks[parent].childCount > limit
        }
        let families = ArrowlessFamilies(timeline, omitsArrows: omitsArrows)
        let threadTidBase = UInt64(tasks.count) + 1
        out.write("{\"traceEvents\":[\n")
        out.write("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"Tasks\"}},\n")
        out.write("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":1}}")
        if options.workerLanes {
            out.write(",\n{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"Threads\"}}")
            out.write(",\n")
            out.write("{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":2}}")
        }

        // Per-task bytes: the track's name (its label, the lane slices' name; what `ChromeTrackOrder` compares).
        let names = ChromeTrackNames(tasks)
        let marks = MarksByTask(timeline)

        // Sort indexes only where catapult's own order (by name, then tid) would differ from the tree's (Perfetto v52
        // orders by tid, = tree position + 1).
        let order = ChromeTrackOrder(names: names)
        var sortIndexes = 0
        for index in tasks.indices {
            let tid = UInt64(index) + 1
            // One event per task: written through one cursor (one room check, not one per piece).
            names.withName(index) { name in
                out.withCursor(reserving: 66 + ByteCursor.maxDecimalBytes + name.count) { event in
                    event.write(",\n{\"ph\":\"M\",\"pid\":1,\"tid\":")
                    event.writeDecimal(tid)
                    event.write(",\"name\":\"thread_name\",\"args\":{\"name\":")
                    event.write(buffer: name)
                    event.write("}}")
                }
            }
            if let sortIndex = order.sortIndex(ofTrack: index) {
                out.write(",\n{\"ph\":\"M\",\"pid\":1,\"tid\":")
                out.writeDecimal(tid)
                out.write(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":")
                out.writeDecimal(sortIndex)
                out.write("}}")
                sortIndexes += 1
            }
        }

        // No `cat`: nothing reads it (both viewers show the name). `cname` only when asked for (catapult's colours).
        let slicePrefix: [[UInt8]] = TaskState.allCases.map { state in
            let colour = options.stateColors ? ",\"cname\":\"\(palette[state].catapultName)\"" : ""
            return Array(",\n{\"ph\":\"X\",\"name\":\"\(state.name)\"\(colour),\"pid\":1,\"tid\":".utf8)
        }
        let segments = timeline.segments
        var omittedSegments = 0
        for index in tasks.indices {
            let tid = UInt64(index) + 1
            // The task's fields one by one, not `let task = tasks[index]`: a copy retains and releases its strings.
            let rows = tasks[index].segments
            let (argsRow, keepsFirstOnly) = Self.argsRow(of: rows, in: segments)
            let openEndRow = tasks[index].isUnfinished ? rows.upperBound - 1 : nil
            var isFirst = true
            for row in rows {
                let start = segments.starts[row]
                let end = segments.ends[row]
                guard end > start || (keepsFirstOnly && isFirst) else {
                    omittedSegments += 1
                    continue
                }
                isFirst = false
                let state = Int(segments.states[row].rawValue)
                slicePrefix[state].withUnsafeBufferPointer { prefix in
                    out.withCursor(reserving: prefix.count + ByteCursor.maxDecimalBytes + spanBytes) { slice in
                        slice.write(buffer: prefix)
                        slice.writeDecimal(tid)
                        writeSpan(start: start, end: end, to: &slice)
                    }
                }
                // The thread only where it says who ran the task; who scheduled or suspended it stays in SQLite.
                let thread = segments.states[row] == .running ? segments.threads[row] : 0
                let isOpenEnd = row == openEndRow
                let hasStaticArgs = row == argsRow
                if hasStaticArgs || thread != 0 || isOpenEnd {
                    out.write(",\"args\":{")
                    if hasStaticArgs {
                        // Still one copy of the task per task (callgrind: ~150 instructions with its retains), with
                        // or without `borrowing` or a buffer pointer; reading its fields by index would avoid it.
                        writeStaticArgs(
                            of: tasks[index], at: index, in: timeline, marks: marks, families: families,
                            limit: options.flowFanOutLimit ?? 0, to: &out)
                    }
                    if thread != 0 {
                        out.write(hasStaticArgs ? ",\"thread\":" : "\"thread\":")
                        out.writeDecimal(UInt64(thread))
                    }
                    if isOpenEnd {
                        out.write(hasStaticArgs || thread != 0 ? ",\"unfinished\":true" : "\"unfinished\":true")
                    }
                    out.write("}}")
                } else {
                    out.write("}")
                }
                try out.flushIfNeeded()
            }
        }

        var omittedArrows = 0
        var parentsWithoutArrows = Set<Int>()
        var lastParentWithoutArrows: Int?
        for index in tasks.indices {
            guard let link = timeline.spawnLink(ofTask: index), let parent = tasks[index].parentIndex else { continue }
            if omitsArrows(parent) {
                omittedArrows += 1
                // Siblings are mostly neighbours in tree order: hash a parent once per run of its children, not
                // once per child (100k group children).
                if parent != lastParentWithoutArrows {
                    parentsWithoutArrows.insert(parent)
                    lastParentWithoutArrows = parent
                }
                continue
            }
            let flowID = UInt64(index) + 1
            out.write(",\n{\"ph\":\"s\",\"cat\":\"spawn\",\"name\":\"spawn\",\"id\":")
            out.writeDecimal(flowID)
            out.write(",\"pid\":1,\"tid\":")
            out.writeDecimal(UInt64(parent) + 1)
            out.write(",\"ts\":")
            out.writeMicros(fromNanos: link.from)
            out.write("},\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"spawn\",\"name\":\"spawn\",\"id\":")
            out.writeDecimal(flowID)
            out.write(",\"pid\":1,\"tid\":")
            out.writeDecimal(flowID)
            out.write(",\"ts\":")
            out.writeMicros(fromNanos: link.to)
            out.write("}")
            try out.flushIfNeeded()
        }

        // Every integrity problem shows as a label on "Tasks" (the counters themselves are in `otherData`).
        if let integrity = timeline.integrity.summary {
            out.write(",\n{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_labels\",\"args\":{\"labels\":")
            out.writeJSONString(integrity)
            out.write("}}")
        }

        try writeFindings(findings, timeline: timeline, to: &out)

        if options.workerLanes {
            try writeThreadLanes(
                timeline, tidBase: threadTidBase, names: names, palette: palette,
                stateColors: options.stateColors, to: &out)
        }

        out.write("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{")
        var first = true
        var data = otherData(timeline)
        if !findings.isEmpty { data.append(("export.findings", String(findings.count))) }
        data += reductions(
            omittedSegments: omittedSegments, omittedArrows: omittedArrows,
            parentsWithoutArrows: parentsWithoutArrows.count, options: options)
        data.append(("export.thread_sort_indexes", String(sortIndexes)))
        data.sort { $0.0 < $1.0 }
        for (key, value) in data {
            if !first { out.write(",") }
            first = false
            out.writeJSONString(key)
            out.write(":")
            out.writeJSONString(value)
        }
        out.write("}}\n")
    }

    /// Key/value pairs for `otherData`: the trace's meta, then what the export summarised, sorted by key.
    static func otherData(_ timeline: Timeline) -> [(String, String)] {
        var data = timeline.meta
        data[MetaKey.droppedEvents] = String(timeline.droppedEvents)
        data["export.tasks"] = String(timeline.tasks.count)
        data["export.segments"] = String(timeline.segments.count)
        data["export.unfinished_tasks"] = String(timeline.tasks.filter(\.isUnfinished).count)
        data["export.omitted_tasks"] = String(timeline.omittedTaskCount)
        data["export.tool"] = "tasktrace \(TraceFormat.toolVersion)"
        if let from = timeline.options.from { data["export.from_ns"] = String(from) }
        if let to = timeline.options.to { data["export.to_ns"] = String(to) }
        if let filter = timeline.options.nameFilter, !filter.isEmpty { data["export.filter"] = filter }
        // What the `thread` arg of a running slice refers to.
        for thread in timeline.threads {
            data["thread.\(thread.id)"] = "\(thread.name) (\(thread.kind.rawValue))"
        }
        for (number, mark) in timeline.marks.filter({ $0.taskIndex == nil }).enumerated() {
            data["export.mark.\(number + 1)"] = "\(mark.kind) at \(mark.timestamp) ns" + (mark.detail.map { ": \($0)" } ?? "")
        }
        return data.sorted { $0.key < $1.key }
    }

    /// The args that never change along a task's track, written once, into its first slice's `args` object:
    /// `parent`, `kind` (unless the track's name says it: an unnamed `group child #7`), `spawn_site`, `outcome` (as
    /// every view prints it: `done (inferred)` when the recorder inferred the end), `error`, `children` + `arrows`
    /// (when its spawn arrows are omitted), `marks` (all but the inferred-outcome mark the outcome already says).
    /// The task's name and id are the track's name (`name #id`). Written straight into `out`: no per-task buffer.
    /// `task` is `timeline.tasks[index]`.
    private static func writeStaticArgs(
        of task: borrowing TimelineTask, at index: Int, in timeline: Timeline, marks: MarksByTask,
        families: ArrowlessFamilies, limit: Int, to out: inout ByteWriter
    ) {
        // `"name":`, after a comma unless it is the first arg.
        var needsComma = false
        func key(_ name: StaticString) {
            if needsComma { out.write(",") }
            out.write("\"")
            out.write(name)
            out.write("\":")
            needsComma = true
        }
        // A child of a family that lists its members (`child_tids`) does not repeat its parent.
        if let parent = task.parentID, !(task.parentIndex.map(families.listsChildren) ?? false) {
            key("parent")
            out.writeDecimal(parent)
        }
        if task.name != nil || task.kind == .spawned || task.kind == .unknown {
            // Kinds and outcomes are fixed lower-case identifiers (`group_child`, `done`): nothing to escape.
            key("kind")
            out.write("\"")
            out.writeUnescaped(task.kind.rawValue)
            out.write("\"")
        }
        if let site = task.spawnSite {
            key("spawn_site")
            out.writeJSONString(site)
        }
        key("outcome")
        out.write("\"")
        // `outcomeLabel`, written in two parts: no string built per task (100k inferred group children).
        out.writeUnescaped(task.outcome)
        if task.outcomeInferred && !task.isUnfinished { out.write(" (inferred)") }
        out.write("\"")
        if let error = task.error {
            key("error")
            out.writeJSONString(error)
        }
        if let ranges = families.childRanges[index] {  // nil for all but a few parents: an array lookup, no hash
            key("children")
            out.writeDecimal(UInt64(task.childCount))
            key("arrows")
            out.write("\"omitted (fan-out > ")
            out.writeDecimal(UInt64(limit))
            out.write(")\"")
            if ranges.count <= ArrowlessFamilies.maxListedRanges {
                // "2-100001" or "2-40,52,60-99": the tids of its children's tracks.
                key("child_tids")
                out.write("\"")
                for (number, range) in ranges.enumerated() {
                    if number > 0 { out.write(",") }
                    out.writeDecimal(UInt64(range.lowerBound))
                    if range.upperBound > range.lowerBound {
                        out.write("-")
                        out.writeDecimal(UInt64(range.upperBound))
                    }
                }
                out.write("\"")
            }
        }
        var wroteMark = false
        for position in marks.range(ofTask: index) {
            let mark = timeline.marks[marks.order[position]]
            if saysOnlyTheOutcome(mark, of: task) { continue }
            // "kind at 1.5ms: detail; kind at …", one JSON string.
            if wroteMark {
                out.write("; ")
            } else {
                key("marks")
                out.write("\"")
                wroteMark = true
            }
            out.writeJSONStringContent(mark.kind)
            out.write(" at ")
            out.writeJSONStringContent(TraceTimeText.format(mark.timestamp))
            if let detail = mark.detail {
                out.write(": ")
                out.writeJSONStringContent(detail)
            }
        }
        if wroteMark { out.write("\"") }
    }

    /// Where a task's static args go, and whether its only slice is its first: the first `running` segment that
    /// lasts (the slice carries `thread` anyway: one `args` object, not two), else its first segment that lasts,
    /// else (every segment lasts 0 ns, so it keeps its first one: a track and its args) its first segment.
    private static func argsRow(of rows: Range<Int>, in segments: SegmentTable) -> (row: Int, keepsFirstOnly: Bool) {
        var firstLasting: Int?
        for row in rows where segments.ends[row] > segments.starts[row] {
            if segments.states[row] == .running { return (row, false) }
            if firstLasting == nil { firstLasting = row }
        }
        return (firstLasting ?? rows.lowerBound, firstLasting == nil)
    }

    /// An `inferred_outcome` mark with the recorder's fixed detail for the task's final state, at its end: all it
    /// says is what `outcome` = `done (inferred)` says ("inferred when its parent ended").
    private static func saysOnlyTheOutcome(_ mark: TimelineMark, of task: TimelineTask) -> Bool {
        guard mark.kind == MarkKind.inferredOutcome, let state = task.finalState, !task.isUnfinished else {
            return false
        }
        return mark.detail == InferredOutcomeDetail.detail(for: state) && mark.timestamp == task.endedAt
    }

    /// The parents whose spawn arrows are omitted (fan-out over the limit), with the tids of their children's
    /// tracks as ranges of consecutive tids. A family of leaf children (100k group children) is one range: the
    /// parent lists it (`child_tids`) and its children do not repeat their `parent` (17 bytes each). A family whose
    /// children are split into more than `maxListedRanges` ranges by their own subtrees keeps `parent` per child.
    private struct ArrowlessFamilies {
        static let maxListedRanges = 16
        /// By parent (tree position): its children's tids (tree position + 1), consecutive ones merged; nil for a
        /// task whose arrows are drawn (an array indexed by tree position: looked up once per task while writing).
        var childRanges: [[ClosedRange<Int>]?]

        init(_ timeline: Timeline, omitsArrows: (Int) -> Bool) {
            childRanges = Array(repeating: nil, count: timeline.tasks.count)
            for index in timeline.tasks.indices {
                guard let parent = timeline.tasks[index].parentIndex, omitsArrows(parent) else { continue }
                let tid = index + 1
                var ranges = childRanges[parent] ?? []
                childRanges[parent] = nil  // unique, so the append below does not copy
                if let last = ranges.last, last.upperBound + 1 == tid {
                    ranges[ranges.count - 1] = last.lowerBound...tid
                } else {
                    ranges.append(tid...tid)
                }
                childRanges[parent] = ranges
            }
        }

        /// Whether the parent at tree position `parent` lists its children, so they need not name it.
        func listsChildren(_ parent: Int) -> Bool {
            guard let ranges = childRanges[parent] else { return false }
            return ranges.count <= Self.maxListedRanges
        }
    }

    /// The indices of `Timeline.marks` grouped by task, in their recorded order: one flat array and an offset per
    /// task (a counting sort), instead of one array per task.
    private struct MarksByTask {
        var order: [Int]
        var start: [Int]

        init(_ timeline: Timeline) {
            start = [Int](repeating: 0, count: timeline.tasks.count + 1)
            for mark in timeline.marks {
                if let task = mark.taskIndex { start[task + 1] += 1 }
            }
            for task in timeline.tasks.indices { start[task + 1] += start[task] }
            order = [Int](repeating: 0, count: start[timeline.tasks.count])
            var next = start
            for (index, mark) in timeline.marks.enumerated() {
                if let task = mark.taskIndex {
                    order[next[task]] = index
                    next[task] += 1
                }
            }
        }

        func range(ofTask task: Int) -> Range<Int> { start[task]..<start[task + 1] }
    }

    /// What this export left out, for `otherData`: the counts, and one sentence naming every reduction applied.
    static func reductions(
        omittedSegments: Int, omittedArrows: Int, parentsWithoutArrows: Int, options: ChromeExportOptions
    ) -> [(String, String)] {
        var applied: [String] = []
        if omittedSegments > 0 {
            applied.append(
                "\(omittedSegments) zero-duration segments have no slice "
                    + "(a task whose every segment lasts 0 ns keeps its first)")
        }
        if omittedArrows > 0, let limit = options.flowFanOutLimit {
            applied.append(
                "\(omittedArrows) spawn arrows omitted: \(parentsWithoutArrows) \(parentsWithoutArrows == 1 ? "parent" : "parents") "
                    + "with more than \(limit) children (--all-flows draws them)")
        }
        if !options.workerLanes {
            applied.append("no worker-thread lanes (running slices name their thread; --worker-lanes draws them)")
        }
        if !options.stateColors {
            applied.append("no cname state colours (--state-colors adds them for catapult)")
        }
        let limit = options.flowFanOutLimit.map(String.init) ?? "none (all flows)"
        return [
            ("export.reductions", applied.isEmpty ? "none" : applied.joined(separator: "; ") + "; see docs/export.md"),
            ("export.omitted_zero_duration_segments", String(omittedSegments)),
            ("export.omitted_spawn_arrows", String(omittedArrows)),
            ("export.spawn_arrow_fan_out_limit", limit),
            ("export.worker_lanes", options.workerLanes ? "yes" : "no (--worker-lanes)"),
            ("export.state_colors", options.stateColors ? "yes" : "no (--state-colors)"),
        ]
    }

    /// Lint findings as thread-scoped instant events on their task's track (tid = 1 + tree position), at the
    /// finding's time clamped into the shown range, so both Perfetto and catapult list them on the task's row.
    private static func writeFindings(_ findings: [Finding], timeline: Timeline, to out: inout ByteWriter) throws {
        for finding in findings where finding.taskIndex < timeline.tasks.count {
            let time = min(max(finding.time, timeline.start), timeline.end)
            out.write(",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"finding\",\"name\":")
            out.writeJSONString("\(finding.severity.name): \(finding.rule.rawValue)")
            out.write(",\"pid\":1,\"tid\":")
            out.writeDecimal(UInt64(finding.taskIndex) + 1)
            out.write(",\"ts\":")
            out.writeMicros(fromNanos: time)
            out.write(",\"args\":{\"task\":")
            out.writeDecimal(finding.taskID)
            out.write(",\"rule\":")
            out.writeJSONString(finding.rule.rawValue)
            out.write(",\"severity\":")
            out.writeJSONString(finding.severity.name)
            if let duration = finding.duration {
                out.write(",\"duration\":")
                out.writeJSONString(TraceTimeText.format(duration))
            }
            if let site = finding.spawnSite {
                out.write(",\"spawn_site\":")
                out.writeJSONString(site)
            }
            out.write(",\"message\":")
            out.writeJSONString(finding.message)
            out.write(",\"fix\":")
            out.writeJSONString(finding.suggestion)
            out.write("}}")
            try out.flushIfNeeded()
        }
    }

    /// Process 2 (`--worker-lanes`): one track per worker thread (and per other thread that ran something).
    private static func writeThreadLanes(
        _ timeline: Timeline, tidBase: UInt64, names: ChromeTrackNames, palette: StatePalette, stateColors: Bool,
        to out: inout ByteWriter
    ) throws {
        let segments = timeline.segments
        var busy = Set<TraceThreadID>()
        for row in 0..<segments.count where segments.states[row] == .running && segments.threads[row] != 0 {
            busy.insert(segments.threads[row])
        }
        for job in timeline.untrackedJobs { busy.insert(job.threadID) }
        // Recorded thread ids are small and dense, but a damaged file may hold any id: look lanes up by id.
        var laneTid: [TraceThreadID: UInt64] = [:]
        var position: UInt64 = 0
        for thread in timeline.threads where thread.kind == .worker || busy.contains(thread.id) {
            let tid = tidBase + position
            laneTid[thread.id] = tid
            out.write(",\n{\"ph\":\"M\",\"pid\":2,\"tid\":")
            out.writeDecimal(tid)
            out.write(",\"name\":\"thread_name\",\"args\":{\"name\":")
            out.writeJSONString(thread.name)
            out.write("}},\n{\"ph\":\"M\",\"pid\":2,\"tid\":")
            out.writeDecimal(tid)
            out.write(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":")
            out.writeDecimal(position + 1)
            out.write("}}")
            position += 1
        }
        func colour(_ name: String) -> String { stateColors ? ",\"cname\":\"\(name)\"" : "" }
        let runningPrefix = Array(",\n{\"ph\":\"X\"\(colour(palette[.running].catapultName)),\"pid\":2,\"tid\":".utf8)
        for index in timeline.tasks.indices {
            // Like the task tracks, a lane gets no zero-duration slice.
            for row in timeline.tasks[index].segments
            where segments.states[row] == .running && segments.ends[row] > segments.starts[row] {
                guard let tid = laneTid[segments.threads[row]] else { continue }
                let start = segments.starts[row]
                out.write(bytes: runningPrefix)
                out.writeDecimal(tid)
                out.write(",\"name\":")
                names.write(index, to: &out)
                // The slice's name (the track name of its task, "name #id") says which task ran: no args needed.
                out.withCursor(reserving: spanBytes) { writeSpan(start: start, end: segments.ends[row], to: &$0) }
                out.write("}")
                try out.flushIfNeeded()
            }
        }
        let jobPrefix = Array(
            ",\n{\"ph\":\"X\",\"name\":\"untracked job\"\(colour(palette.untrackedJob.catapultName)),\"pid\":2,\"tid\":"
                .utf8)
        for job in timeline.untrackedJobs {
            guard let tid = laneTid[job.threadID] else { continue }
            out.write(bytes: jobPrefix)
            out.writeDecimal(tid)
            out.withCursor(reserving: spanBytes) { writeSpan(start: job.start, end: job.end, to: &$0) }
            out.write(",\"args\":{\"untracked\":true}}")
            try out.flushIfNeeded()
        }
    }

    /// Room `writeSpan` can need.
    private static let spanBytes = 6 + ByteCursor.maxMicrosBytes + 7 + ByteCursor.maxMicrosBytes

    /// `,"ts":…,"dur":…` of an X slice, in microseconds; a span that ends before it starts gets duration 0.
    private static func writeSpan(start: TraceNanos, end: TraceNanos, to out: inout ByteCursor) {
        out.write(",\"ts\":")
        out.writeMicros(fromNanos: start)
        out.write(",\"dur\":")
        out.writeMicros(fromNanos: end >= start ? end - start : 0)
    }
}
