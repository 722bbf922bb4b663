import Foundation
import TaskTraceExport
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
        let processNames = events.filter { $0["name"] as? String == "process_name" }
            .map { ($0["pid"] as? Int ?? 0, ($0["args"] as? [String: String])?["name"] ?? "") }
        #expect(processNames.map(\.0) == [1, 2] && processNames.map(\.1) == ["Tasks", "Threads"])
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
        #expect(slices.allSatisfy { $0["cat"] == nil && $0["cname"] is String })
        var byTrack: [Int: [(Double, Double)]] = [:]
        for slice in slices {
            let ts = try #require(slice["ts"] as? Double)
            let dur = try #require(slice["dur"] as? Double)
            #expect(ts >= 0 && dur >= 0)
            byTrack[slice["tid"] as? Int ?? 0, default: []].append((ts, ts + dur))
        }
        for track in Set(slices.compactMap { $0["tid"] as? Int }) {
            // Static args once per track, on its first slice; later slices carry only what varies.
            let onTrack = slices.filter { $0["tid"] as? Int == track }
            let first = try #require(onTrack.first?["args"] as? [String: Any])
            #expect(first["task"] != nil && first["outcome"] != nil && first["kind"] != nil)
            for slice in onTrack.dropFirst() {
                let keys = Set((slice["args"] as? [String: Any])?.keys.map { $0 } ?? [])
                #expect(keys.isSubset(of: ["thread", "unfinished"]))
            }
        }
        for track in byTrack.values {
            let sorted = track.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.1 <= b.0 + 1e-9) }
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
            let args = try #require(onTrack.first?["args"] as? [String: Any])
            #expect(args["task"] as? Int == Int(task.id))
        }
        _ = allZeroTasks  // none in the sample: `aTaskWhoseEverySegmentLastsZeroHasExactlyOneSlice` covers them
        let other = try #require(root["otherData"] as? [String: String])
        #expect(other["export.omitted_zero_duration_segments"] == String(Self.zeroDurationSegmentsWithoutSlice(timeline)))
        #expect(other["export.reductions"]?.contains("zero-duration segments have no slice") == true)
        let lanes = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 2 && $0["name"] as? String != "actor job" }
        #expect(lanes.allSatisfy { ($0["dur"] as? Double ?? 0) > 0 })
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
        let (events, _) = try Self.events(try Self.render(builder.finish()))
        let blink = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 && $0["tid"] as? Int == 2 }
        #expect(blink.count == 1)
        #expect(blink.first?["name"] as? String == "created" && blink.first?["dur"] as? Double == 0)
        let args = try #require(blink.first?["args"] as? [String: Any])
        #expect(args["task"] as? Int == 2 && args["name"] as? String == "blink" && args["outcome"] as? String == "done")
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
        #expect(parentArgs["arrows"] == nil && parentArgs["children"] == nil)
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
        // The children still name their parent.
        let children = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 && ($0["tid"] as? Int ?? 0) > 1 }
        #expect(children.compactMap { ($0["args"] as? [String: Any])?["parent"] as? Int }.count == limit + 1)

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

    @Test func threadLanesShowJobsAndActorJobs() throws {
        let (events, _) = try Self.events(try Self.render())
        let lanes = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 2 }
        #expect(lanes.contains { $0["name"] as? String == "actor job" })
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
