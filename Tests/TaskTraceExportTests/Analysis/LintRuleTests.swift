import TaskTraceExport
import TaskTraceModel
import Testing

/// Each lint on hand-made traces: the defect planted once, and the evidence that must silence it.
@Suite("Analysis: lint rules")
struct LintRuleTests {
    static let t = ConstructedTrace.ticks

    func rules(_ trace: ConstructedTrace, options: LintOptions = LintOptions()) -> [(FindingRule, TraceTaskID)] {
        trace.timeline.findings(options: options).map { ($0.rule, $0.taskID) }
    }

    /// P (1) spawns E (2) at 5; E runs 10–20, sleeps, timer 98, runs 100–110 and ends errored. P polls: timer wakes.
    static func erroredChild() -> ConstructedTrace {
        var trace = ConstructedTrace(durationTicks: 300)
        trace.task(1, "P", kind: .root)
        trace.task(2, "E", parent: 1)
        trace.tasks[1].error = "boom"
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(200, 1, .scheduled)
        trace.at(200, 1, .running, thread: 1)
        trace.at(210, 1, .done)
        trace.at(5, 2, .created)
        trace.at(5, 2, .scheduled)
        trace.at(10, 2, .running, thread: 1)
        trace.at(20, 2, .suspended)
        trace.at(98, 2, .scheduled)
        trace.at(100, 2, .running, thread: 1)
        trace.at(110, 2, .errored)
        return trace
    }

    @Test func anErrorNobodyRetrievedIsAnError() throws {
        let findings = Self.erroredChild().timeline.findings()
        let finding = try #require(findings.first { $0.rule == .errorNeverRetrieved })
        #expect(finding.severity == .error && finding.taskID == 2 && finding.time == Self.t(110))
        #expect(finding.spawnSite == "App/Main.swift:2" && finding.message.contains("boom"))
    }

    @Test(arguments: ["wake", "gather", "wait", "timeout", "shield", "done_callbacks", "parent", "inferred"])
    func evidenceOfRetrievalSilencesIt(evidence: String) {
        var trace = Self.erroredChild()
        switch evidence {
        case "wake":  // P is woken from thread 1 during E's last job (105): P awaited E's value.
            trace.transitions.removeAll { $0.taskID == 1 && $0.timestamp == Self.t(200) && $0.state == .scheduled }
            trace.at(105, 1, .scheduled, thread: 1)
        case "gather", "wait", "shield": trace.mark(6, 1, evidence, "tasks 2")
        case "timeout": trace.mark(6, 1, evidence, "task 2 within 0.1 seconds")
        case "done_callbacks": trace.mark(110, 2, evidence, "1 callback(s) ran")
        case "parent":
            trace.tasks[0].error = "boom"
            trace.transitions.removeAll { $0.taskID == 1 && $0.state == .done }
            trace.at(210, 1, .errored)
        default: trace.mark(110, 2, MarkKind.inferredOutcome, "end inferred from the parent's end")
        }
        #expect(!rules(trace).contains { $0.0 == .errorNeverRetrieved }, "evidence \(evidence)")
    }

    @Test func aLongJobBlocksTheTasksQueuedBehindIt() throws {
        // B runs 0–1500 (150 ms) in one job; A and C are queued 10–1500 and 20–1500 behind it.
        var trace = ConstructedTrace(durationTicks: 2000)
        for (id, name) in [(1, "A"), (2, "B"), (3, "C")] as [(TraceTaskID, String)] { trace.task(id, name) }
        trace.at(0, 2, .created)
        trace.at(0, 2, .scheduled)
        trace.at(0, 2, .running, thread: 1)
        trace.at(1500, 2, .done)
        trace.at(10, 1, .created)
        trace.at(10, 1, .scheduled)
        trace.at(20, 3, .created)
        trace.at(20, 3, .scheduled)
        trace.at(1500, 1, .running, thread: 1)
        trace.at(1501, 1, .done)
        trace.at(1501, 3, .running, thread: 1)
        trace.at(1502, 3, .done)
        // W (4) ran on a second worker, and, suspended since 5, is woken by B's job itself at 1400: not queued
        // behind it.
        trace.threads.append(ThreadRecord(id: 2, name: "tasktrace-worker-2", kind: .worker))
        trace.task(4, "W")
        trace.at(1, 4, .created)
        trace.at(1, 4, .scheduled)
        trace.at(1, 4, .running, thread: 2)
        trace.at(5, 4, .suspended)
        trace.at(1400, 4, .scheduled, thread: 1)
        trace.at(1502, 4, .running, thread: 1)
        trace.at(1503, 4, .done)
        let findings = trace.timeline.findings()
        let blocking = try #require(findings.first { $0.rule == .blockingJob })
        #expect(blocking.taskID == 2 && blocking.duration == Self.t(1500) && blocking.severity == .warning)
        #expect(Set(blocking.relatedTaskIDs) == [1, 3])
        // Overlap with B's job 0–1500: A 10–1500 = 1490 ticks, C 20–1500 = 1480: "up to 149ms (297ms in all)".
        #expect(blocking.message.contains("2 other tasks") && blocking.message.contains("up to 149ms"))
        #expect(blocking.message.contains("297ms in all"))
        // Both starved (≥ 100 ms in the queue), blamed on B.
        let starved = findings.filter { $0.rule == .starvation }
        #expect(Set(starved.map(\.taskID)) == [1, 3])
        #expect(starved.allSatisfy { $0.message.contains("B #2") && $0.relatedTaskIDs == [2] })
        // A higher threshold silences both.
        let relaxed = LintOptions(blockingThreshold: Self.t(2000), starvationThreshold: Self.t(2000))
        #expect(rules(trace, options: relaxed).isEmpty)
    }

    @Test func workOnTheBlockingPoolIsNotABlockingJob() {
        var trace = ConstructedTrace(durationTicks: 2000)
        trace.threads.append(ThreadRecord(id: 2, name: "tasktrace-blocking-1", kind: .blocking))
        trace.task(1, "read-file", kind: .blocking)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 2)
        trace.at(1500, 1, .done)
        #expect(rules(trace).isEmpty)
    }

    @Test func unfinishedOrphanedAndIgnoringCancellation() throws {
        // P (1) spawns L (2) at 5 and ends at 50; L runs 10–20 and is still suspended at the end (2000).
        // K (3) is cancelled at 100 and keeps running 100–1200 before it ends cancelled.
        var trace = ConstructedTrace(durationTicks: 2000)
        trace.task(1, "P", kind: .root)
        trace.task(2, "L", parent: 1)
        trace.task(3, "K")
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(40, 1, .scheduled)
        trace.at(45, 1, .running, thread: 1)
        trace.at(50, 1, .done)
        trace.at(5, 2, .created)
        trace.at(5, 2, .scheduled)
        trace.at(10, 2, .running, thread: 1)
        trace.at(20, 2, .suspended)
        trace.at(60, 3, .created)
        trace.at(60, 3, .scheduled)
        trace.at(60, 3, .running, thread: 1)
        trace.mark(100, 3, MarkKind.cancelRequested, "by task 1: shutting down")
        trace.at(1200, 3, .cancelled)
        let findings = trace.timeline.findings()
        let unfinished = try #require(findings.first { $0.rule == .unfinishedAtEnd })
        #expect(unfinished.taskID == 2 && unfinished.time == Self.t(20) && unfinished.duration == Self.t(1980))
        #expect(unfinished.message.contains("still suspended"))
        let orphan = try #require(findings.first { $0.rule == .orphan })
        #expect(orphan.taskID == 2 && orphan.relatedTaskIDs == [1] && orphan.duration == Self.t(1950))
        let ignored = try #require(findings.first { $0.rule == .cancellationIgnored })
        #expect(ignored.taskID == 3 && ignored.time == Self.t(100) && ignored.duration == Self.t(1100))
        #expect(ignored.message.contains("shutting down"))
        // K's 110 ms job is also a blocking job; nothing else is reported.
        #expect(Set(findings.map(\.rule)) == [.unfinishedAtEnd, .orphan, .cancellationIgnored, .blockingJob])
    }

    @Test func aParentThatTookTheResultDuringTheFinalJobIsNotOutlived() {
        // Two workers. C (2) runs its final job 50–60 on thread 2 and publishes its result at 52 (P woken from
        // thread 2); P (1) resumes on thread 1 at 53 and ends at 55, before C's job end (60) is recorded.
        var trace = ConstructedTrace(durationTicks: 100)
        trace.threads.append(ThreadRecord(id: 2, name: "tasktrace-worker-2", kind: .worker))
        trace.task(1, "P", kind: .root)
        trace.task(2, "C", parent: 1)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(10, 1, .suspended)
        trace.at(5, 2, .created)
        trace.at(5, 2, .scheduled)
        trace.at(10, 2, .running, thread: 2)
        trace.at(20, 2, .suspended)
        trace.at(48, 2, .scheduled)
        trace.at(50, 2, .running, thread: 2)
        trace.at(52, 1, .scheduled, thread: 2)
        trace.at(53, 1, .running, thread: 1)
        trace.at(55, 1, .done)
        trace.at(60, 2, .done)
        #expect(rules(trace).isEmpty)
        // Had P ended at 45, before C's final job began, C would be an orphan.
        var early = trace
        early.transitions.removeAll { $0.taskID == 1 && $0.timestamp >= Self.t(52) }
        early.at(40, 1, .scheduled)
        early.at(42, 1, .running, thread: 1)
        early.at(45, 1, .done)
        #expect(rules(early).map(\.0) == [.orphan])
    }

    @Test func aTimeoutThatFiredNamesWhoSetItAndWhatItCancelled() throws {
        // W (1) sets a 10 ms timeout on S (2) at 5; it fires at 105 and S ends cancelled at 106.
        var trace = ConstructedTrace(durationTicks: 200)
        trace.task(1, "W", kind: .root)
        trace.task(2, "S", parent: 1)
        trace.at(0, 1, .created)
        trace.at(0, 1, .scheduled)
        trace.at(0, 1, .running, thread: 1)
        trace.at(5, 2, .created)
        trace.at(5, 2, .scheduled)
        trace.mark(5, 1, "timeout", "task 2 within 0.01 seconds")
        trace.at(10, 1, .suspended)
        trace.at(10, 2, .running, thread: 1)
        trace.at(12, 2, .suspended)
        trace.mark(105, 2, MarkKind.cancelRequested, "by task 1: timeout after 0.01 seconds")
        trace.at(105, 2, .scheduled)
        trace.at(106, 2, .running, thread: 1)
        trace.at(106, 1, .scheduled, thread: 1)
        trace.at(106, 2, .cancelled)
        trace.at(107, 1, .running, thread: 1)
        trace.at(108, 1, .done)
        let findings = trace.timeline.findings()
        #expect(findings.map(\.rule) == [.timeoutFired])
        let fired = try #require(findings.first)
        #expect(fired.severity == .info && fired.taskID == 2 && fired.relatedTaskIDs == [1])
        #expect(fired.message.contains("0.01 seconds timeout that W #1 set at 500µs fired at 10.5ms"))
    }

    @Test func aFilteredExportPlacesTheWholeTracesFindings() throws {
        // E (2) errors at 110; its sibling W (3), not its parent, awaited it (woken from thread 1 at 105).
        var trace = Self.erroredChild()
        trace.task(3, "W", parent: 1)
        trace.at(6, 3, .created)
        trace.at(6, 3, .scheduled)
        trace.at(30, 3, .running, thread: 1)
        trace.at(40, 3, .suspended)
        trace.at(105, 3, .scheduled, thread: 1)
        trace.at(120, 3, .running, thread: 1)
        trace.at(130, 3, .done)
        let whole = trace.timeline
        #expect(!whole.findings().contains { $0.rule == .errorNeverRetrieved })
        // Filtering on "E" drops W: analysed alone, the part would accuse E falsely.
        let part = trace.timeline(options: TimelineOptions(nameFilter: "E"))
        #expect(part.tasks.map(\.id) == [1, 2])
        #expect(part.findings().contains { $0.rule == .errorNeverRetrieved })
        #expect(!part.placing(whole.findings()).contains { $0.rule == .errorNeverRetrieved })
        // A finding keeps its task, re-indexed; one outside the window is dropped.
        var late = trace
        late.task(4, "E-late", parent: 1)
        late.at(150, 4, .created)
        late.at(150, 4, .scheduled)
        let lateWhole = late.timeline
        let unfinished = try #require(lateWhole.findings().first { $0.taskID == 4 })
        let narrowed = late.timeline(options: TimelineOptions(nameFilter: "E-late"))
        let placed = try #require(narrowed.placing([unfinished]).first)
        #expect(narrowed.tasks[placed.taskIndex].id == 4)
        #expect(late.timeline(options: TimelineOptions(to: ConstructedTrace.ticks(100))).placing([unfinished]).isEmpty)
    }

    @Test func aResultOnAnIncompleteTraceSaysSo() {
        var trace = Self.erroredChild()
        trace.meta[MetaKey.droppedEvents] = "12"
        let timeline = trace.timeline
        let text = FindingsReport.text(timeline.findings(), timeline: timeline, options: LintOptions(), perRule: nil)
        #expect(text.contains { $0.hasPrefix("warning: the trace is not exact (recorder dropped 12 events)") })
        var out = ByteWriter.collecting()
        FindingsReport.json(timeline.findings(), timeline: timeline, options: LintOptions()).write(to: &out)
        let json = String(decoding: out.bytes, as: UTF8.self)
        #expect(json.contains("\"exact\":false") && json.contains("\"integrity\":\"recorder dropped 12 events\""))
        #expect(Self.erroredChild().timeline.integrity.isExact)
    }

    @Test func findingsAreListedMostSevereFirstThenByTime() {
        var trace = Self.erroredChild()
        trace.task(3, "Z")
        trace.at(1, 3, .created)
        trace.at(1, 3, .scheduled)
        let findings = trace.timeline.findings()
        #expect(findings.map(\.severity) == findings.map(\.severity).sorted(by: >))
        #expect(findings.first?.rule == .errorNeverRetrieved)
    }
}
