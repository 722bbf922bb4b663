import TaskTraceExport
import TaskTraceModel
import Testing

@Suite("Timeline model")
struct TimelineBuilderTests {
    static func build(_ sample: SampleTrace = SampleTrace(), options: TimelineOptions = TimelineOptions()) -> Timeline {
        var builder = TimelineBuilder(
            tasks: sample.tasks, threads: sample.threads, marks: sample.marks, untrackedJobs: sample.untrackedJobs,
            meta: sample.meta, options: options
        )
        for transition in sample.transitions { builder.add(transition) }
        return builder.finish()
    }

    @Test func sampleTransitionsAreLegal() {
        var validator = TransitionValidator()
        for transition in SampleTrace().transitions { validator.observe(transition) }
        #expect(validator.violations.isEmpty)
        #expect(validator.timeReversals == 0)
        #expect(validator.unfinishedTasks == [12, 19])
        #expect(Set(validator.finalStates.values) == [.done, .cancelled, .errored, .suspended, .scheduled])
    }

    @Test func tasksComeInTreeOrderWithDepthAndCounts() {
        let timeline = Self.build()
        #expect(timeline.tasks.count == 20)
        #expect(timeline.tasks.map(\.id) == [1, 2, 4, 5, 6, 3, 8, 9, 14, 15, 11, 7, 10, 12, 13, 16, 17, 18, 19, 20])
        let main = timeline.tasks[0]
        #expect(main.depth == 0 && main.childCount == 7 && main.descendantCount == 18)
        #expect(timeline.tasks[2].depth == 2 && timeline.tasks[2].parentIndex == 1)
        #expect(timeline.tasks.last?.parentIndex == nil)
        for (index, task) in timeline.tasks.enumerated() {
            if let parent = task.parentIndex { #expect(parent < index) }
        }
    }

    @Test func segmentsTileEachTaskFromCreationToEnd() {
        let timeline = Self.build()
        for (index, task) in timeline.tasks.enumerated() {
            let segments = Array(timeline.segments(ofTask: index))
            #expect(!segments.isEmpty)
            #expect(segments.first?.start == task.createdAt)
            #expect(segments.last?.end == task.endedAt)
            for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.end == b.start) }
            #expect(segments.allSatisfy { !$0.state.isTerminal && $0.taskIndex == index })
            #expect(segments.first?.state == .created)
        }
    }

    @Test func terminalStatesHaveNoSegmentButEndTheTask() throws {
        let timeline = Self.build()
        let parse2 = try #require(timeline.tasks.first { $0.id == 6 })
        #expect(parse2.finalState == .errored && !parse2.isUnfinished && parse2.outcome == "errored")
        #expect(parse2.error?.contains("DecodingError") == true)
        let neverRan = try #require(timeline.tasks.firstIndex { $0.id == 11 })
        #expect(timeline.tasks[neverRan].finalState == .cancelled)
        #expect(Array(timeline.segments(ofTask: neverRan)).map(\.state) == [.created])
    }

    @Test func unfinishedTasksRunToTheEndOfTheTrace() throws {
        let timeline = Self.build()
        #expect(timeline.end == UInt64(timeline.meta[MetaKey.durationNs] ?? "") )
        let watchdog = try #require(timeline.tasks.firstIndex { $0.id == 12 })
        #expect(timeline.tasks[watchdog].isUnfinished)
        #expect(timeline.tasks[watchdog].outcome == "unfinished")
        let last = try #require(Array(timeline.segments(ofTask: watchdog)).last)
        #expect(last.state == .suspended && last.end == timeline.end)
        let logWriter = try #require(timeline.tasks.firstIndex { $0.id == 19 })
        #expect(Array(timeline.segments(ofTask: logWriter)).last?.state == .scheduled)
    }

    @Test func traceEndIsTheLastTimestampWhenLongerThanTheDuration() {
        var sample = SampleTrace()
        sample.meta[MetaKey.durationNs] = "5"
        let timeline = Self.build(sample)
        #expect(timeline.end == sample.transitions.map(\.timestamp).max())
    }

    @Test func runningSegmentsCarryTheirThreadAndStatsAddUp() {
        let timeline = Self.build()
        for index in 0..<timeline.segments.count {
            let segment = timeline.segments[index]
            #expect((segment.state == .running) == (segment.thread != 0))
        }
        for task in timeline.tasks {
            #expect(task.created + task.scheduled + task.running + task.suspended == task.lifetime)
        }
        #expect(timeline.droppedEvents == 3)
        #expect(timeline.marks.count == 2)
        #expect(timeline.untrackedJobs.count == 1)
    }

    @Test func nameFilterKeepsMatchesAndTheirAncestors() {
        let timeline = Self.build(options: TimelineOptions(nameFilter: "DB-QUERY"))
        #expect(timeline.tasks.map(\.id) == [1, 3, 9, 14, 15])
        #expect(timeline.omittedTaskCount == 15)
        #expect(timeline.tasks.map(\.depth) == [0, 1, 2, 3, 3])
    }

    @Test func windowClipsSegmentsAndDropsTasksOutsideIt() {
        let from: TraceNanos = 600_000
        let to: TraceNanos = 700_000
        let timeline = Self.build(options: TimelineOptions(from: from, to: to))
        #expect(timeline.start == from && timeline.end == to)
        for index in 0..<timeline.segments.count {
            #expect(timeline.segments.starts[index] >= from && timeline.segments.ends[index] <= to)
        }
        #expect(!timeline.tasks.contains { $0.id == 4 })  // parse #0 ended long before
        #expect(timeline.tasks.contains { $0.id == 17 })
    }

    @Test func transitionsOfUnknownTasksMakeUnnamedTasks() {
        var builder = TimelineBuilder(tasks: [], threads: [], marks: [], untrackedJobs: [], meta: [:])
        builder.add(TransitionRecord(taskID: 9, timestamp: 10, state: .created))
        builder.add(TransitionRecord(taskID: 9, timestamp: 20, state: .scheduled))
        let timeline = builder.finish()
        #expect(timeline.tasks.map(\.displayName) == ["task #9"])
        #expect(timeline.segments.count == 2)
        #expect(timeline.end == 20)
    }

    @Test func spawnLinksBindInsideParentAndChild() {
        let timeline = Self.build()
        var links = 0
        for index in timeline.tasks.indices {
            guard let link = timeline.spawnLink(ofTask: index), let parent = timeline.tasks[index].parentIndex else {
                #expect(timeline.tasks[index].parentIndex == nil)
                continue
            }
            links += 1
            #expect(link.from <= link.to)
            #expect(timeline.segments(ofTask: parent).contains { $0.start <= link.from && link.from < $0.end })
            #expect(timeline.segments(ofTask: index).contains { $0.start <= link.to && link.to <= $0.end })
        }
        #expect(links == 18)
    }

    @Test(arguments: [
        ("1.5ms", 1_500_000 as UInt64?), ("200us", 200_000), ("200µs", 200_000), ("2s", 2_000_000_000),
        ("42", 42), ("42ns", 42), (".5ms", 500_000), ("1.2345us", 1_234), ("abc", nil), ("-1", nil), ("1.5h", nil),
        ("", nil), ("1.2.3", nil),
    ])
    func parsesTimesWithUnits(text: String, nanos: UInt64?) {
        #expect(TraceTimeText.parseNanos(text) == nanos)
    }

    @Test func formatsTimesInTheUnitOfTheSpan() {
        #expect(TraceTimeText.format(1_500_000) == "1.5ms")
        #expect(TraceTimeText.format(250) == "250ns")
        #expect(TraceTimeText.format(12_345) == "12.345µs")
        #expect(TraceTimeText.format(3_000_000_000) == "3s")
        #expect(TraceTimeText.format(0) == "0ns")
    }

    @Test("UTC dates from unix nanoseconds (checked against Python's datetime)", arguments: [
        (UInt64(0), "1970-01-01 00:00:00.000 UTC"),
        (1_795_580_518_082_937_992, "2026-11-25 04:21:58.082 UTC"),
        (951_782_400_123_000_000, "2000-02-29 00:00:00.123 UTC"),
        (4_102_444_799_999_000_000, "2099-12-31 23:59:59.999 UTC"),
    ])
    func utcDates(nanos: UInt64, expected: String) {
        #expect(TraceTimeText.utcDate(fromUnixNanos: nanos) == expected)
    }

    @Test func unnamedTasksAreLabelledByKind() {
        let tasks = [
            TaskRecord(id: 1, name: "main", kind: .root), TaskRecord(id: 2, parentID: 1, kind: .asyncLet),
            TaskRecord(id: 3, parentID: 1, kind: .groupChild), TaskRecord(id: 4, parentID: 1, kind: .unknown),
        ]
        var builder = TimelineBuilder(tasks: tasks, threads: [], marks: [], untrackedJobs: [], meta: [:])
        for id in 1...4 { builder.add(TransitionRecord(taskID: TraceTaskID(id), timestamp: TraceNanos(id), state: .created)) }
        let names = builder.finish().tasks.map(\.displayName)
        #expect(names == ["main #1", "async let #2", "group child #3", "task #4"])
    }
}
