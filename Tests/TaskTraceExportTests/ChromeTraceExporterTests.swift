import Foundation
@testable import TaskTraceExport
import TaskTraceModel
import Testing

@Suite("Chrome trace JSON")
struct ChromeTraceExporterTests {
    static func render(
        _ timeline: Timeline = TimelineBuilderTests.build(), options: ChromeExportOptions = ChromeExportOptions()
    ) throws -> [UInt8] {
        var out = ByteWriter.collecting()
        try ChromeTraceExporter.write(timeline, to: &out, options: options)
        return out.bytes
    }

    /// One root (`parent`, id 1) that runs from 0 to 1 ms and spawns `children` group children, each created and
    /// scheduled at the same instant (a zero-duration `created` segment), then running 1 µs, then done.
    static func fanOut(children: Int) -> Timeline {
        var tasks = [TaskRecord(id: 1, name: "parent", kind: .root)]
        var transitions = [
            TransitionRecord(taskID: 1, timestamp: 0, state: .created),
            TransitionRecord(taskID: 1, timestamp: 0, state: .running, threadID: 1),
        ]
        for child in 0..<children {
            let id = TraceTaskID(2 + child)
            let created = TraceNanos(10 + child * 10)
            tasks.append(TaskRecord(id: id, parentID: 1, kind: .groupChild))
            transitions += [
                TransitionRecord(taskID: id, timestamp: created, state: .created, threadID: 1),
                TransitionRecord(taskID: id, timestamp: created, state: .scheduled, threadID: 1),
                TransitionRecord(taskID: id, timestamp: 500_000 + created, state: .running, threadID: 1),
                TransitionRecord(taskID: id, timestamp: 501_000 + created, state: .done, threadID: 1),
            ]
        }
        transitions.append(TransitionRecord(taskID: 1, timestamp: 1_000_000, state: .done, threadID: 1))
        // Time order, ties in the order written above.
        let ordered = transitions.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
        var builder = TimelineBuilder(
            tasks: tasks, threads: [ThreadRecord(id: 1, name: "worker", kind: .worker)], marks: [], untrackedJobs: [],
            meta: [:])
        for item in ordered { builder.add(item.element) }
        return builder.finish()
    }

    static func events(_ bytes: [UInt8]) throws -> (events: [[String: Any]], root: [String: Any]) {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        let root = try #require(object as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        return (events, root)
    }

    @Test func documentHasTheShapeViewersExpect() throws {
        let (events, root) = try Self.events(try Self.render())
        #expect(root["displayTimeUnit"] as? String == "ns")
        let other = try #require(root["otherData"] as? [String: String])
        #expect(other["dropped_events"] == "3")
        #expect(other["command"] == "tasktrace sample-trace")
        let phases = Set(events.compactMap { $0["ph"] as? String })
        #expect(phases == ["M", "X", "s", "f"])
        func processNames(_ events: [[String: Any]]) -> [String] {
            events.filter { $0["name"] as? String == "process_name" }
                .map { "\($0["pid"] as? Int ?? 0) \(($0["args"] as? [String: String])?["name"] ?? "")" }
        }
        // The worker lanes (process 2) only when asked for.
        #expect(processNames(events) == ["1 Tasks"])
        #expect(other["export.worker_lanes"] == "no (--worker-lanes)")
        let (withLanes, _) = try Self.events(try Self.render(options: ChromeExportOptions(workerLanes: true)))
        #expect(processNames(withLanes) == ["1 Tasks", "2 Threads"])
    }

    @Test func oneTrackPerTaskNamedAndSortedByTheTree() throws {
        let timeline = TimelineBuilderTests.build()
        let (events, _) = try Self.events(try Self.render(timeline))
        let names = events.filter { $0["name"] as? String == "thread_name" && $0["pid"] as? Int == 1 }
        #expect(names.count == timeline.tasks.count)
        for (index, task) in timeline.tasks.enumerated() {
            #expect(names[index]["tid"] as? Int == index + 1)
            #expect((names[index]["args"] as? [String: String])?["name"] == "\(task.name ?? "task") #\(task.id)")
        }
        #expect(names.contains { ($0["args"] as? [String: String])?["name"] == "<script>alert(\"x\")</script> & 'quotes' #7" })
    }

    @Test func slicesAreStateSegmentsThatNeverOverlapOnATrack() throws {
        let timeline = TimelineBuilderTests.build()
        let (events, _) = try Self.events(try Self.render(timeline))
        let slices = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 }
        #expect(slices.count == timeline.segments.count - Self.zeroDurationSegmentsWithoutSlice(timeline))
        // No `cat`, and no `cname` unless asked for (then the palette's catapult name of the slice's state).
        #expect(slices.allSatisfy { $0["cat"] == nil && $0["cname"] == nil })
        let (coloured, _) = try Self.events(try Self.render(timeline, options: ChromeExportOptions(stateColors: true)))
        let colouredSlices = coloured.filter { $0["ph"] as? String == "X" }
        #expect(colouredSlices.count == slices.count)
        for slice in colouredSlices {
            let state = try #require(TaskState.allCases.first { $0.name == slice["name"] as? String })
            #expect(slice["cname"] as? String == StatePalette.standard[state].catapultName)
        }
        var byTrack: [Int: [(Double, Double)]] = [:]
        for slice in slices {
            let ts = try #require(slice["ts"] as? Double)
            let dur = try #require(slice["dur"] as? Double)
            #expect(ts >= 0 && dur >= 0)
            byTrack[slice["tid"] as? Int ?? 0, default: []].append((ts, ts + dur))
        }
        for (index, task) in timeline.tasks.enumerated() {
            // Static args once per track, on the slice where the task first ran (else its first slice); the others
            // carry only what varies: `thread` on running slices (the segment's thread), `unfinished` on the last.
            let onTrack = slices.filter { $0["tid"] as? Int == index + 1 }
            let segments = timeline.segments(ofTask: index).filter { $0.end > $0.start }
            let argsSlice = segments.firstIndex { $0.state == .running } ?? 0
            #expect(onTrack.count == max(segments.count, 1))
            for (position, slice) in onTrack.enumerated() {
                let args = slice["args"] as? [String: Any] ?? [:]
                #expect((args["outcome"] as? String == task.outcomeLabel) == (position == argsSlice), "\(task.id)")
                if position != argsSlice { #expect(Set(args.keys).isSubset(of: ["thread", "unfinished"])) }
                if position < segments.count, segments[position].state == .running, segments[position].thread != 0 {
                    #expect(args["thread"] as? Int == Int(segments[position].thread))
                } else {
                    #expect(args["thread"] == nil)
                }
            }
        }
        for track in byTrack.values {
            let sorted = track.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.1 <= b.0 + 1e-9) }
        }
    }

    /// The static args of every task, as the model states them: each is on exactly one slice of its track, and
    /// the track's name is `name #id` (the task's name and id are not repeated).
    @Test func everyTaskFactIsOnItsTrackOnce() throws {
        let timeline = TimelineBuilderTests.build()
        let (events, root) = try Self.events(try Self.render(timeline))
        for (index, task) in timeline.tasks.enumerated() {
            let tid = index + 1
            let withArgs = events.filter {
                $0["ph"] as? String == "X" && $0["tid"] as? Int == tid && ($0["args"] as? [String: Any])?["outcome"] != nil
            }
            let args = try #require(withArgs.count == 1 ? withArgs[0]["args"] as? [String: Any] : nil, "\(task.id)")
            #expect(args["task"] == nil && args["name"] == nil)
            #expect(args["parent"] as? Int == task.parentID.map(Int.init))
            #expect(args["spawn_site"] as? String == task.spawnSite)
            #expect(args["error"] as? String == task.error)
            #expect(args["outcome"] as? String == task.outcomeLabel)
            // The kind unless the name says it (`group child #7`, `async let #5`).
            #expect((args["kind"] as? String == task.kind.rawValue) == (task.name != nil || [.spawned, .unknown].contains(task.kind)))
            // Every mark of the task, except an inferred-outcome mark with the recorder's fixed detail at its end:
            // `done (inferred)` says all of it.
            let marks = timeline.marks.filter { mark in
                mark.taskIndex == index
                    && !(mark.kind == MarkKind.inferredOutcome && !task.isUnfinished
                        && mark.detail == task.finalState.flatMap(InferredOutcomeDetail.detail(for:))
                        && mark.timestamp == task.endedAt)
            }
            #expect((args["marks"] as? String)?.components(separatedBy: "; ").count == (marks.isEmpty ? nil : marks.count))
        }
        // The `thread` args name threads of the trace; their names are in otherData.
        let other = try #require(root["otherData"] as? [String: String])
        for thread in timeline.threads {
            #expect(other["thread.\(thread.id)"] == "\(thread.name) (\(thread.kind.rawValue))")
        }
    }

    /// Segments of zero duration that get no slice: all of them, except the first of a task whose every segment
    /// lasts 0 ns.
    static func zeroDurationSegmentsWithoutSlice(_ timeline: Timeline) -> Int {
        timeline.tasks.indices.reduce(0) { count, index in
            let durations = timeline.segments(ofTask: index).map { $0.end - $0.start }
            let zeros = durations.filter { $0 == 0 }.count
            return count + (zeros == durations.count ? max(zeros - 1, 0) : zeros)
        }
    }

    @Test func zeroDurationSegmentsHaveNoSliceAndArgsMoveToTheFirstDrawnOne() throws {
        let timeline = TimelineBuilderTests.build()
        let (events, root) = try Self.events(try Self.render(timeline))
        let slices = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 }
        var allZeroTasks = 0
        for (index, task) in timeline.tasks.enumerated() {
            let segments = Array(timeline.segments(ofTask: index))
            let lasting = segments.filter { $0.end > $0.start }
            let onTrack = slices.filter { $0["tid"] as? Int == index + 1 }
            if lasting.isEmpty {
                // Exactly one slice, the first segment, with the task's args: the task keeps a track.
                allZeroTasks += 1
                #expect(onTrack.count == 1)
                #expect(onTrack.first?["name"] as? String == segments.first?.state.name)
                #expect(onTrack.first?["dur"] as? Double == 0)
            } else {
                #expect(onTrack.map { $0["name"] as? String } == lasting.map(\.state.name))
                #expect(onTrack.allSatisfy { ($0["dur"] as? Double ?? 0) > 0 })
            }
            // Its static args on exactly one of its slices.
            #expect(onTrack.filter { ($0["args"] as? [String: Any])?["outcome"] as? String == task.outcomeLabel }.count == 1)
        }
        _ = allZeroTasks  // none in the sample: `aTaskWhoseEverySegmentLastsZeroHasExactlyOneSlice` covers them
        let other = try #require(root["otherData"] as? [String: String])
        #expect(other["export.omitted_zero_duration_segments"] == String(Self.zeroDurationSegmentsWithoutSlice(timeline)))
        #expect(other["export.reductions"]?.contains("zero-duration segments have no slice") == true)
        let (withLanes, _) = try Self.events(try Self.render(timeline, options: ChromeExportOptions(workerLanes: true)))
        let lanes = withLanes.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 2 && $0["name"] as? String != "untracked job" }
        #expect(!lanes.isEmpty && lanes.allSatisfy { ($0["dur"] as? Double ?? 0) > 0 })
    }

    @Test func aTaskWhoseEverySegmentLastsZeroHasExactlyOneSlice() throws {
        var builder = TimelineBuilder(
            tasks: [TaskRecord(id: 1, name: "main", kind: .root), TaskRecord(id: 2, parentID: 1, name: "blink")],
            threads: [ThreadRecord(id: 1, name: "worker", kind: .worker)], marks: [], untrackedJobs: [], meta: [:])
        builder.add(TransitionRecord(taskID: 1, timestamp: 0, state: .created))
        builder.add(TransitionRecord(taskID: 1, timestamp: 0, state: .running, threadID: 1))
        for state in [TaskState.created, .scheduled, .running, .done] {
            builder.add(TransitionRecord(taskID: 2, timestamp: 40, state: state, threadID: 1))
        }
        builder.add(TransitionRecord(taskID: 1, timestamp: 100, state: .done, threadID: 1))
        let timeline = builder.finish()
        let (events, _) = try Self.events(try Self.render(timeline, options: ChromeExportOptions(workerLanes: true)))
        let blink = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 && $0["tid"] as? Int == 2 }
        #expect(blink.count == 1)
        #expect(blink.first?["name"] as? String == "created" && blink.first?["dur"] as? Double == 0)
        let args = try #require(blink.first?["args"] as? [String: Any])
        #expect(args["parent"] as? Int == 1 && args["outcome"] as? String == "done")
        #expect(args["kind"] as? String == timeline.tasks[1].kind.rawValue)
        // Its zero-length running segment is not drawn on the worker's lane either; the spawn arrow still binds.
        #expect(!events.contains { $0["pid"] as? Int == 2 && $0["name"] as? String == "blink #2" })
        #expect(events.filter { $0["ph"] as? String == "f" }.map { $0["tid"] as? Int } == [2])
    }

    @Test func aParentOverTheFanOutLimitHasNoArrowsAndSaysSo() throws {
        let limit = ChromeExportOptions.defaultFlowFanOutLimit
        // At the limit: every arrow, and no note.
        let (atLimit, atRoot) = try Self.events(try Self.render(Self.fanOut(children: limit)))
        #expect(atLimit.filter { $0["ph"] as? String == "s" }.count == limit)
        #expect(atLimit.filter { $0["ph"] as? String == "f" }.count == limit)
        let parentArgs = try #require(atLimit.first { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }?["args"] as? [String: Any])
        #expect(parentArgs["arrows"] == nil && parentArgs["children"] == nil && parentArgs["child_tids"] == nil)
        // Under the limit every child names its parent.
        let named = atLimit.filter { $0["ph"] as? String == "X" && ($0["tid"] as? Int ?? 0) > 1 }
            .compactMap { ($0["args"] as? [String: Any])?["parent"] as? Int }
        #expect(named == Array(repeating: 1, count: limit))
        #expect((atRoot["otherData"] as? [String: String])?["export.omitted_spawn_arrows"] == "0")

        // One over: none, and the parent's first slice and otherData say what was left out.
        let over = Self.fanOut(children: limit + 1)
        let (events, root) = try Self.events(try Self.render(over))
        #expect(!events.contains { ["s", "f"].contains($0["ph"] as? String) })
        let first = try #require(events.first { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }?["args"] as? [String: Any])
        #expect(first["children"] as? Int == limit + 1)
        #expect(first["arrows"] as? String == "omitted (fan-out > \(limit))")
        let other = try #require(root["otherData"] as? [String: String])
        #expect(other["export.omitted_spawn_arrows"] == String(limit + 1))
        #expect(other["export.spawn_arrow_fan_out_limit"] == String(limit))
        #expect(other["export.reductions"]?.contains("\(limit + 1) spawn arrows omitted: 1 parent with more than \(limit) children") == true)
        // The parent lists its children's tracks once (tids 2 … limit + 2: tree positions 1 … limit + 1); they do not
        // repeat `parent`, and every one of them is a child of task 1 in the model.
        #expect(first["child_tids"] as? String == "2-\(limit + 2)")
        #expect(over.tasks.dropFirst().allSatisfy { $0.parentID == 1 } && over.tasks.count == limit + 2)
        let children = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 && ($0["tid"] as? Int ?? 0) > 1 }
        #expect(Set(children.compactMap { $0["tid"] as? Int }) == Set(2...(limit + 2)))
        #expect(children.allSatisfy { ($0["args"] as? [String: Any])?["parent"] == nil })

        // --all-flows: every arrow again, no note.
        let (all, allRoot) = try Self.events(try Self.render(over, options: .allFlows))
        #expect(all.filter { $0["ph"] as? String == "s" }.count == limit + 1)
        #expect(all.filter { $0["ph"] as? String == "f" }.count == limit + 1)
        let allFirst = try #require(all.first { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }?["args"] as? [String: Any])
        #expect(allFirst["arrows"] == nil)
        #expect((allRoot["otherData"] as? [String: String])?["export.spawn_arrow_fan_out_limit"] == "none (all flows)")
    }

    @Test func oneFlowPerTaskWithAParentStartingNoLaterThanItEnds() throws {
        let timeline = TimelineBuilderTests.build()
        let (events, _) = try Self.events(try Self.render(timeline))
        let starts = events.filter { $0["ph"] as? String == "s" }
        let finishes = events.filter { $0["ph"] as? String == "f" }
        let withParent = timeline.tasks.filter { $0.parentIndex != nil }.count
        #expect(starts.count == withParent && finishes.count == withParent)
        #expect(finishes.allSatisfy { $0["bp"] as? String == "e" })
        for (s, f) in zip(starts, finishes) {
            #expect(s["id"] as? Int == f["id"] as? Int)
            #expect((s["ts"] as? Double ?? 0) <= (f["ts"] as? Double ?? -1))
        }
    }

    /// catapult lists a process's threads by sort index (0 when none), then name, then tid; Perfetto v52 by tid.
    /// Only the tracks outside the longest run whose names already sort in tree order get a sort index: here the
    /// names `group child #2` … `#101` change digit count at #10 and #100, so `#10` … `#99` (tids 10 … 99) need none,
    /// tids 1 … 9 get -9 … -1 and tids 100, 101 get 1, 2.
    @Test func sortIndexesOnlyWhereCatapultsNameOrderDiffersFromTheTree() throws {
        let timeline = Self.fanOut(children: 100)
        #expect(timeline.tasks.map(\.displayName) == ["parent #1"] + (2...101).map { "group child #\($0)" })
        let (events, root) = try Self.events(try Self.render(timeline))
        var sortIndex: [Int: Int] = [:]
        for event in events where event["name"] as? String == "thread_sort_index" && event["pid"] as? Int == 1 {
            sortIndex[event["tid"] as? Int ?? 0] = (event["args"] as? [String: Int])?["sort_index"]
        }
        var want: [Int: Int] = [:]
        for tid in 1...9 { want[tid] = tid - 10 }
        want[100] = 1
        want[101] = 2
        #expect(sortIndex == want)
        #expect((root["otherData"] as? [String: String])?["export.thread_sort_indexes"] == "11")
        // catapult's key in tree order: the sort index never decreases, and where it ties (the run) the names are
        // the same length and differ only in digits, so their byte order is their collation order.
        let names = events.filter { $0["name"] as? String == "thread_name" && $0["pid"] as? Int == 1 }
            .map { ($0["args"] as? [String: String])?["name"] ?? "" }
        for tid in 1..<timeline.tasks.count {
            let (a, b) = (sortIndex[tid] ?? 0, sortIndex[tid + 1] ?? 0)
            #expect(a < b || (a == b && names[tid - 1].count == names[tid].count && names[tid - 1] < names[tid]))
        }
    }

    @Test func catapultNameOrderIsJudgedConservatively() {
        func inOrder(_ a: String, _ b: String) -> Bool {
            ChromeTrackOrder.catapultSortsInOrder(ByteWriter.jsonStringBytes(a), ByteWriter.jsonStringBytes(b))
        }
        #expect(inOrder("group child #2600002", "group child #2600003"))
        #expect(inOrder("fetch #19", "fetch #19"))  // equal names: tid decides
        #expect(inOrder("fetch 1 #20", "fetch 2 #21"))
        #expect(!inOrder("group child #9", "group child #10"))  // collation is not numeric
        #expect(!inOrder("fetch #21", "fetch #20"))
        #expect(!inOrder("a #20", "b #21"))  // letters: left to the locale, so not trusted
        #expect(!inOrder("é #20", "é #21"))  // non-ASCII
        #expect(!inOrder("x\u{1} #20", "x\u{2} #20"))  // escapes differ in digits but are not digits
    }

    @Test func threadLanesShowJobsAndActorJobs() throws {
        let (plain, _) = try Self.events(try Self.render())
        #expect(!plain.contains { $0["pid"] as? Int == 2 })
        let (events, _) = try Self.events(try Self.render(options: ChromeExportOptions(workerLanes: true)))
        let lanes = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 2 }
        #expect(lanes.contains { $0["name"] as? String == "untracked job" })
        #expect(lanes.contains { $0["name"] as? String == "main #1" })
        let laneNames = events.filter { $0["name"] as? String == "thread_name" && $0["pid"] as? Int == 2 }
        #expect(laneNames.count == 2)
    }

    @Test func timestampsAreMicrosecondsWithAtMostThreeDecimals() throws {
        var out = ByteWriter.collecting()
        for nanos: UInt64 in [0, 1, 999, 1_000, 1_500, 123_456_789, 10_000_010] {
            out.writeMicros(fromNanos: nanos)
            out.write(" ")
        }
        #expect(String(decoding: out.bytes, as: UTF8.self) == "0 0.001 0.999 1 1.5 123456.789 10000.01 ")
    }

    @Test func stringsAreEscapedForJSON() throws {
        var out = ByteWriter.collecting()
        out.writeJSONString("a\"b\\c\nd\u{01}e\u{7F}f\u{2028}g é 😀")
        #expect(String(decoding: out.bytes, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\u0001e\\u007ff\\u2028g é 😀\"")
        let invalid = String(decoding: [0x61, 0xFF, 0x62], as: UTF8.self)
        let bytes = ByteWriter.jsonStringBytes(invalid)
        let decoded = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
        #expect(decoded == "a\u{FFFD}b")
    }

    @Test func sameTimelineGivesSameBytes() throws {
        #expect(try Self.render() == Self.render())
    }

    @Test func smallChunksGiveTheSameBytes() throws {
        var chunks: [UInt8] = []
        var out = ByteWriter(chunkSize: 64) { chunk in chunks.append(contentsOf: chunk) }
        try ChromeTraceExporter.write(TimelineBuilderTests.build(), to: &out)
        try out.flush()
        #expect(chunks == (try Self.render()))
    }
}
