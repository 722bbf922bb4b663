import Foundation
import TaskTraceModel
@testable import TaskTrace

/// Compares a recorded trace with what its tasks said they did (`FactLog`), by code that does not use the
/// deriver's reasoning: only the rows an `InMemoryTraceSink` received.
///
/// For every task that noted facts:
/// - the task exists with the name, kind and parent its spawner asked for;
/// - its transitions obey the state machine, in non-decreasing time, and every integrity counter is 0;
/// - every fact its code noted lies inside one of its `running` segments, on the thread it was noted on
///   (exact: a job start is stamped before the code runs, a suspension after it stops);
/// - `entered` is in the first running segment, no later than `tolerance` after that segment's start;
/// - job boundaries are exact: two consecutive facts noted in different executor jobs (the worker's own job
///   counter, not a recorded event) lie in different running segments, in order; two in the same job lie in
///   the same segment — so a lost suspension, two jobs merged into one segment, or a job split in two shows;
/// - the terminal state matches how the body ended (done / errored with the error's text / cancelled), at or
///   after the last fact and within `tolerance` of it; where the outcome can only be inferred (plain group and
///   `async let` children) the trace must carry an `inferred_outcome` mark.
/// Across tasks: no two running segments on one thread overlap (no thread runs two tasks at once).
struct GroundTruthChecker {
    /// How far a recorded time may trail the fact it reflects (the job boundary after the code). Generous,
    /// because a loaded 2-core machine can preempt a worker between the two.
    var tolerance: TraceNanos = 200_000_000

    private struct Segment {
        var start: TraceNanos
        var end: TraceNanos
        var thread: TraceThreadID
    }

    func differences(sink: InMemoryTraceSink, facts: [TraceTaskID: [FactLog.Fact]]) -> [String] {
        var problems: [String] = []
        if !TraceIntegrity(meta: sink.meta).isExact {
            problems.append("integrity: \(TraceIntegrity(meta: sink.meta).summary ?? "")")
        }
        var validator = TransitionValidator()
        var transitions: [TraceTaskID: [TransitionRecord]] = [:]
        for record in sink.transitions {
            validator.observe(record)
            transitions[record.taskID, default: []].append(record)
        }
        problems += validator.violations.prefix(5).map { "state machine: \($0)" }
        if validator.timeReversals > 0 { problems.append("\(validator.timeReversals) time reversals") }

        var segmentsByThread: [TraceThreadID: [(TraceNanos, TraceNanos, TraceTaskID)]] = [:]
        for (task, records) in transitions {
            for segment in runningSegments(records) where segment.end != .max {
                segmentsByThread[segment.thread, default: []].append((segment.start, segment.end, task))
            }
        }
        for (thread, segments) in segmentsByThread {
            let sorted = segments.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            for (previous, next) in zip(sorted, sorted.dropFirst()) where next.0 < previous.1 {
                problems.append("thread \(thread) runs task \(previous.2) and task \(next.2) at once at \(next.0)")
            }
        }

        for (task, taskFacts) in facts.sorted(by: { $0.key < $1.key }) {
            problems += check(task: task, facts: taskFacts, records: transitions[task] ?? [], sink: sink)
        }
        return problems
    }

    private func runningSegments(_ records: [TransitionRecord]) -> [Segment] {
        var segments: [Segment] = []
        for (index, record) in records.enumerated() where record.state == .running {
            let end = index + 1 < records.count ? records[index + 1].timestamp : .max
            segments.append(Segment(start: record.timestamp, end: end, thread: record.threadID))
        }
        return segments
    }

    private func check(
        task: TraceTaskID, facts: [FactLog.Fact], records: [TransitionRecord], sink: InMemoryTraceSink
    ) -> [String] {
        var problems: [String] = []
        func problem(_ text: String) { problems.append("task \(task): \(text)") }
        guard task != 0 else { return ["facts noted outside any task: \(facts.map(\.kind))"] }
        guard let record = sink.task(id: task), !records.isEmpty else { return ["task \(task): missing from the trace"] }
        let segments = runningSegments(records)

        func segmentIndex(of fact: FactLog.Fact) -> Int? {
            segments.firstIndex { $0.start <= fact.time && fact.time <= $0.end && $0.thread == fact.thread }
        }
        var inferredKind = false
        var previous: (fact: FactLog.Fact, segment: Int)?
        for fact in facts {
            guard let index = segmentIndex(of: fact) else {
                problem("\(fact.kind) at \(fact.time) on thread \(fact.thread) is in no running segment: \(describe(records))")
                if ProcessInfo.processInfo.environment["GT_DEBUG"] != nil {
                    let jobs = sink.untrackedJobs.filter { $0.threadID == fact.thread && $0.end + 2_000_000 >= fact.time && $0.start <= fact.time + 2_000_000 }
                    problem("DEBUG untracked on thread: \(jobs.map { "\($0.start)-\($0.end)" })")
                    var others: [String] = []
                    var open: [TraceTaskID: TransitionRecord] = [:]
                    for r in sink.transitions {
                        if let o = open.removeValue(forKey: r.taskID), o.threadID == fact.thread, r.timestamp + 2_000_000 >= fact.time, o.timestamp <= fact.time + 2_000_000 {
                            others.append("task \(r.taskID) \(o.timestamp)-\(r.timestamp)")
                        }
                        if r.state == .running { open[r.taskID] = r }
                    }
                    problem("DEBUG running on thread: \(others)")
                    problem("DEBUG on_actor marks: \(sink.marks.filter { $0.kind == MarkKind.onActor && $0.taskID == task }.map(\.timestamp))")
                    problem("DEBUG facts: \(facts.map { "\($0.kind)@\($0.time)/t\($0.thread)j\($0.job)" })")
                }
                previous = nil
                continue
            }
            if let (before, segment) = previous {
                let sameJob = before.thread == fact.thread && before.job == fact.job
                if sameJob, index != segment {
                    problem("\(before.kind) and \(fact.kind) ran in one job but the trace splits it: \(describe(records))")
                } else if !sameJob, index <= segment {
                    problem("\(before.kind) at \(before.time) and \(fact.kind) at \(fact.time) ran in different jobs but share a running segment: \(describe(records))")
                }
            }
            previous = (fact, index)
            if case .entered(let name, let kind, let parent) = fact.kind {
                if index != 0 { problem("body entered in running segment \(index), not the first") }
                if fact.time - segments[index].start > tolerance { problem("body entered long after its job started") }
                if record.name != name { problem("name \(record.name ?? "nil") != \(name ?? "nil")") }
                if record.kind != kind { problem("kind \(record.kind) != \(kind)") }
                if record.parentID != parent { problem("parent \(String(describing: record.parentID)) != \(String(describing: parent))") }
                inferredKind = kind == .groupChild && name == nil || kind == .asyncLet
            }
        }

        guard let last = facts.last, let final = records.last else { return problems }
        let expected: TaskState?
        switch last.kind {
        case .returned: expected = .done
        case .cancelled: expected = .cancelled
        case .threw(let text):
            expected = .errored
            if !inferredKind, record.error?.contains(text) != true {
                problem("error text \(record.error ?? "nil") does not contain \(text)")
            }
        default: expected = nil
        }
        guard let expected else { return problems }
        let inferredMark = sink.marks.contains { $0.taskID == task && $0.kind == MarkKind.inferredOutcome }
        if inferredKind {
            if !final.state.isTerminal { problem("never ended") }
            if !inferredMark { problem("outcome \(final.state.name) is inferred but not marked so") }
        } else {
            if final.state != expected { problem("ended \(final.state.name), expected \(expected.name)") }
            if inferredMark { problem("an observed outcome is marked inferred") }
            if final.timestamp > last.time + tolerance { problem("ended \(final.timestamp - last.time) ns after its last fact") }
        }
        if final.timestamp < last.time { problem("ended at \(final.timestamp), before its last fact at \(last.time)") }
        return problems
    }

    private func describe(_ records: [TransitionRecord]) -> String {
        records.map { "\($0.state.name)@\($0.timestamp)/t\($0.threadID)" }.joined(separator: " ")
    }
}
