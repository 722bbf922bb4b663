public import TaskTraceModel

/// A small synthetic but realistic trace, the same every time: 20 tasks in a tree (roots, spawned tasks,
/// group children, async lets, a blocking closure), all seven states, two errors, a cancellation request, a task
/// cancelled before it ran, two unfinished tasks, two worker threads, an untracked actor job, dropped events,
/// and names that need escaping (`<script>`, quotes, a newline).
///
/// It comes from a tiny deterministic scheduler over per-task plans, so running segments on a worker never
/// overlap and every transition is legal. `tasktrace sample-trace PATH` writes it; tests build timelines from it.
///
/// Thread-safe (a value type).
public struct SampleTrace: Sendable {
    public var tasks: [TaskRecord] = []
    /// In time order (ties in recorded order), as a reader would stream them.
    public var transitions: [TransitionRecord] = []
    public var threads: [ThreadRecord] = []
    public var marks: [MarkRecord] = []
    public var untrackedJobs: [UntrackedJobRecord] = []
    public var meta: [String: String] = [:]

    private enum Ending { case done, errored(String), cancelled(String), cancelledBeforeRun, unfinishedSuspended, unfinishedScheduled }

    private struct Plan {
        var id: TraceTaskID
        var parent: TraceTaskID?
        var name: String?
        var kind: TaskKind
        var createdAt: TraceNanos
        /// Jobs: how long each runs, then how long the task stays suspended before the next.
        var jobs: [(run: TraceNanos, suspend: TraceNanos)]
        var ending: Ending
        var line: Int?
    }

    /// Builds the sample.
    public init() {
        let us: TraceNanos = 1_000
        let plans: [Plan] = [
            Plan(id: 1, parent: nil, name: "main", kind: .root, createdAt: 0,
                 jobs: [(40 * us, 300 * us), (25 * us, 900 * us), (30 * us, 0)], ending: .done, line: nil),
            Plan(id: 2, parent: 1, name: "fetch-users", kind: .spawned, createdAt: 10 * us,
                 jobs: [(30 * us, 200 * us), (20 * us, 150 * us), (15 * us, 0)], ending: .done, line: 12),
            Plan(id: 3, parent: 1, name: "fetch-orders", kind: .spawned, createdAt: 20 * us,
                 jobs: [(35 * us, 250 * us), (40 * us, 0)], ending: .done, line: 13),
            Plan(id: 4, parent: 2, name: "parse #0", kind: .groupChild, createdAt: 60 * us,
                 jobs: [(80 * us, 0)], ending: .done, line: 27),
            Plan(id: 5, parent: 2, name: "parse #1", kind: .groupChild, createdAt: 61 * us,
                 jobs: [(60 * us, 40 * us), (30 * us, 0)], ending: .done, line: 27),
            Plan(id: 6, parent: 2, name: "parse #2", kind: .groupChild, createdAt: 62 * us,
                 jobs: [(45 * us, 0)], ending: .errored("DecodingError: bad byte 0x1f at offset 17"), line: 27),
            Plan(id: 7, parent: 1, name: "<script>alert(\"x\")</script> & 'quotes'", kind: .spawned, createdAt: 35 * us,
                 jobs: [(20 * us, 0)], ending: .done, line: 40),
            Plan(id: 8, parent: 3, name: "timeout-guard", kind: .spawned, createdAt: 70 * us,
                 jobs: [(10 * us, 400 * us), (5 * us, 0)], ending: .cancelled("CancellationError()"), line: 55),
            Plan(id: 9, parent: 3, name: "retry-backoff", kind: .asyncLet, createdAt: 75 * us,
                 jobs: [(25 * us, 120 * us), (20 * us, 0)], ending: .done, line: 61),
            Plan(id: 10, parent: 1, name: "cache-warmup", kind: .blocking, createdAt: 90 * us,
                 jobs: [(350 * us, 0)], ending: .done, line: 70),
            Plan(id: 11, parent: 3, name: "never-ran", kind: .spawned, createdAt: 100 * us,
                 jobs: [], ending: .cancelledBeforeRun, line: 58),
            Plan(id: 12, parent: 1, name: "watchdog", kind: .spawned, createdAt: 110 * us,
                 jobs: [(15 * us, 500 * us), (10 * us, 0)], ending: .unfinishedSuspended, line: 80),
            Plan(id: 13, parent: 12, name: "metrics-flush", kind: .spawned, createdAt: 140 * us,
                 jobs: [(30 * us, 0)], ending: .done, line: 84),
            Plan(id: 14, parent: 9, name: "db-query", kind: .asyncLet, createdAt: 130 * us,
                 jobs: [(20 * us, 90 * us), (10 * us, 0)], ending: .done, line: 63),
            Plan(id: 15, parent: 9, name: "db-query", kind: .asyncLet, createdAt: 131 * us,
                 jobs: [(15 * us, 60 * us), (10 * us, 0)], ending: .done, line: 64),
            Plan(id: 16, parent: 1, name: "render-page", kind: .spawned, createdAt: 600 * us,
                 jobs: [(30 * us, 200 * us), (40 * us, 0)], ending: .done, line: 90),
            Plan(id: 17, parent: 16, name: "compress", kind: .groupChild, createdAt: 640 * us,
                 jobs: [(120 * us, 0)], ending: .done, line: 95),
            Plan(id: 18, parent: 16, name: "upload\nretry", kind: .groupChild, createdAt: 641 * us,
                 jobs: [(20 * us, 100 * us), (10 * us, 0)], ending: .errored("URLError(-1001): \"timed out\" <after 3 tries>"),
                 line: 96),
            Plan(id: 19, parent: 1, name: "log-writer", kind: .spawned, createdAt: 1_200 * us,
                 jobs: [(20 * us, 30 * us)], ending: .unfinishedScheduled, line: 99),
            Plan(id: 20, parent: nil, name: nil, kind: .unknown, createdAt: 300 * us,
                 jobs: [(12 * us, 0)], ending: .done, line: nil),
        ]
        threads = [
            ThreadRecord(id: 1, name: "tasktrace-worker-0", kind: .worker),
            ThreadRecord(id: 2, name: "tasktrace-worker-1", kind: .worker),
            ThreadRecord(id: 3, name: "main", kind: .external),
        ]
        for plan in plans {
            tasks.append(
                TaskRecord(
                    id: plan.id, parentID: plan.parent, name: plan.name, kind: plan.kind,
                    file: plan.line == nil ? nil : "SampleApp/Pipeline.swift", line: plan.line,
                    error: {
                        switch plan.ending {
                        case .errored(let text), .cancelled(let text): text
                        default: nil
                        }
                    }()
                )
            )
        }
        simulate(plans)
        marks.append(MarkRecord(taskID: 8, timestamp: 350 * us, kind: MarkKind.cancelRequested, detail: "cancelled by fetch-orders: deadline"))
        marks.append(MarkRecord(taskID: 11, timestamp: 105 * us, kind: MarkKind.cancelRequested, detail: "group cancelled"))
        let lastTimestamp = transitions.map(\.timestamp).max() ?? 0
        let duration = lastTimestamp + 50 * us
        meta = [
            MetaKey.formatVersion: String(TraceFormat.version),
            MetaKey.tasktraceVersion: TraceFormat.toolVersion,
            MetaKey.startedUnixNs: "1767225600000000000",
            MetaKey.endedUnixNs: String(1_767_225_600_000_000_000 + duration),
            MetaKey.clock: "CLOCK_MONOTONIC",
            MetaKey.host: "sample-host",
            MetaKey.pid: "4242",
            MetaKey.command: "tasktrace sample-trace",
            MetaKey.workers: "2",
            MetaKey.droppedEvents: "3",
            MetaKey.durationNs: String(duration),
        ]
    }

    /// Runs the plans on two simulated workers: a ready job goes to the worker free first (lowest id on ties).
    private mutating func simulate(_ plans: [Plan]) {
        let us: TraceNanos = 1_000
        var log: [(TransitionRecord, Int)] = []
        func emit(_ id: TraceTaskID, _ at: TraceNanos, _ state: TaskState, _ thread: TraceThreadID = 0) {
            log.append((TransitionRecord(taskID: id, timestamp: at, state: state, threadID: thread), log.count))
        }
        // Ready queue entries: (ready time, plan index, job index); plan index -1 is the untracked actor job.
        var ready: [(at: TraceNanos, plan: Int, job: Int)] = []
        for (index, plan) in plans.enumerated() {
            emit(plan.id, plan.createdAt, .created)
            if case .cancelledBeforeRun = plan.ending {
                emit(plan.id, plan.createdAt + 5 * us, .cancelled)
                continue
            }
            let scheduledAt = plan.createdAt + 2 * us
            emit(plan.id, scheduledAt, .scheduled)
            ready.append((scheduledAt, index, 0))
        }
        ready.append((520 * us, -1, 0))
        var freeAt: [TraceNanos] = [0, 0]
        while !ready.isEmpty {
            let next = ready.indices.min { (ready[$0].at, ready[$0].plan) < (ready[$1].at, ready[$1].plan) } ?? 0
            let item = ready.remove(at: next)
            let worker = freeAt[0] <= freeAt[1] ? 0 : 1
            let start = max(item.at, freeAt[worker])
            let thread = TraceThreadID(worker + 1)
            guard item.plan >= 0 else {
                untrackedJobs.append(UntrackedJobRecord(threadID: thread, start: start, end: start + 18 * us))
                freeAt[worker] = start + 18 * us
                continue
            }
            let plan = plans[item.plan]
            let job = plan.jobs[item.job]
            emit(plan.id, start, .running, thread)
            let end = start + job.run
            freeAt[worker] = end + 1 * us
            let isLast = item.job == plan.jobs.count - 1
            if !isLast {
                emit(plan.id, end, .suspended)
                emit(plan.id, end + job.suspend, .scheduled)
                ready.append((end + job.suspend, item.plan, item.job + 1))
                continue
            }
            switch plan.ending {
            case .done: emit(plan.id, end, .done)
            case .errored: emit(plan.id, end, .errored)
            case .cancelled: emit(plan.id, end, .cancelled)
            case .unfinishedSuspended: emit(plan.id, end, .suspended)
            case .unfinishedScheduled:
                emit(plan.id, end, .suspended)
                emit(plan.id, end + job.suspend, .scheduled)
            case .cancelledBeforeRun: break
            }
        }
        log.sort { ($0.0.timestamp, $0.1) < ($1.0.timestamp, $1.1) }
        transitions = log.map(\.0)
    }
}
