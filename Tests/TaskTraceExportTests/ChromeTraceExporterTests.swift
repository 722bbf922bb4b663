import Foundation
import TaskTraceExport
import TaskTraceModel
import Testing

@Suite("Chrome trace JSON")
struct ChromeTraceExporterTests {
    static func render(_ timeline: Timeline = TimelineBuilderTests.build()) throws -> [UInt8] {
        var out = ByteWriter.collecting()
        try ChromeTraceExporter.write(timeline, to: &out)
        return out.bytes
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
        #expect(slices.count == timeline.segments.count)
        #expect(slices.allSatisfy { $0["cat"] as? String == "state" })
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
