import TaskTraceModel

/// Validates a trace file against the documented format (docs/schema.md, "Checking a trace"), for traces this
/// tool recorded and for traces other tools write.
///
/// It checks: that the file opens as a trace of a supported version (and `meta.format_version` agrees with
/// `PRAGMA user_version`); every task's transitions, in recorded order (`seq`), against the state machine
/// (`TaskState.canTransition`, first state `created`), with timestamps in `0…TraceFormat.maxTimestamp` that never
/// decrease; transitions, marks and untracked jobs that name tasks and threads which exist; parents that exist
/// and form no cycle; untracked jobs that end after they start. The recorder's integrity counters
/// (`TraceIntegrity`) that are not zero and a missing `ended_unix_ns` are warnings.
///
/// Transitions are streamed row by row; memory grows with the number of tasks (one small entry each), never with
/// the number of transitions. Never modifies the file. Pure apart from reading it: thread-safe, stateless.
///
/// ```swift
/// let report = TraceChecker.check(path: "run.sqlite")
/// if !report.isValid { for problem in report.problems { print(problem.message) } }
/// ```
public enum TraceChecker {
    /// Every problem code the checker reports (docs/schema.md lists each), besides the integrity counters'
    /// `meta` keys (`dropped_events`, `skipped_events`, …), which are warnings under their own names.
    public static let codes: [String] = [
        "unreadable", "corrupt", "format_version_mismatch", "states_table", "bad_counter", "not_finished",
        "bad_state_code", "timestamp_out_of_range", "first_state_not_created", "illegal_transition",
        "time_goes_backwards", "unknown_task", "unknown_thread", "missing_parent", "parent_cycle",
        "task_without_transitions", "bad_job_row", "bad_batch", "mark_unknown_task", "untracked_unknown_thread", "untracked_ends_before_start",
    ]

    /// Checks the trace at `path`. Never throws: a file that cannot be read is a report with an `unreadable` error.
    public static func check(path: String) -> TraceCheckReport {
        var report = TraceCheckReport(path: path)
        let reader: TraceReader
        do {
            reader = try TraceReader(path: path)
        } catch {
            report.add(.init(severity: .error, code: "unreadable", message: error.description))
            return report
        }
        report.formatVersion = reader.formatVersion
        do {
            var pass = CheckPass(reader: reader)
            try pass.run(into: &report)
        } catch {
            report.add(.init(severity: .error, code: "unreadable", message: error.description))
        }
        return report
    }
}

/// One run of the checks over an open reader; holds the small tables' keys while transitions stream by.
private struct CheckPass {
    let reader: TraceReader
    var parents: [TraceTaskID: TraceTaskID?] = [:]
    var threadIDs: Set<Int64> = []

    init(reader: TraceReader) { self.reader = reader }

    mutating func run(into report: inout TraceCheckReport) throws(TraceStoreError) {
        try checkIntegrity(into: &report)
        let meta = try reader.meta()
        checkMeta(meta, into: &report)
        try checkStates(into: &report)
        try readThreads(into: &report)
        try readTasks(into: &report)
        checkParents(into: &report)
        if reader.formatVersion >= 3 { try checkBatches(into: &report) }
        let seen = try checkTransitions(into: &report)
        for (id, _) in parents where !seen.contains(id) {
            report.add(.init(severity: .warning, code: "task_without_transitions", taskID: id, message: "task \(id): has no transitions"))
        }
        try checkMarks(into: &report)
        try checkUntrackedJobs(into: &report)
    }

    /// SQLite's full `integrity_check`: unlike the reader's `quick_check` at open, it also compares every index
    /// with its table, so a damaged index (which an export's `ORDER BY ts_ns` would meet) is found here too.
    private func checkIntegrity(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var findings: [String] = []
        try reader.query("PRAGMA integrity_check(10)") { row in
            if let line = row.string(0), line != "ok" { findings.append(line) }
        }
        for finding in findings {
            report.add(.init(severity: .error, code: "corrupt", message: "SQLite integrity check: \(finding)"))
        }
    }

    private func checkMeta(_ meta: [String: String], into report: inout TraceCheckReport) {
        if let stated = meta[MetaKey.formatVersion], Int(stated) != reader.formatVersion {
            report.add(
                .init(
                    severity: .error, code: "format_version_mismatch",
                    message: "meta format_version is \(stated) but PRAGMA user_version is \(reader.formatVersion)"
                )
            )
        }
        let integrity = TraceIntegrity(meta: meta)
        for counter in integrity.counters {
            if let text = meta[counter.key], UInt64(text) == nil {
                report.add(
                    .init(severity: .error, code: "bad_counter", message: "meta \(counter.key) is '\(text)', not a count")
                )
            } else if counter.count > 0 {
                report.add(
                    .init(severity: .warning, code: counter.key, message: "\(counter.key) = \(counter.count): \(counter.meaning)")
                )
            }
        }
        if meta[MetaKey.endedUnixNs] == nil {
            report.add(
                .init(
                    severity: .warning, code: "not_finished",
                    message: "no ended_unix_ns: the recording did not finish (crash, kill or I/O error); "
                        + "the trace holds what was flushed before"
                )
            )
        }
    }

    /// The `states` table must name every code as the `transitions` view shows it.
    private func checkStates(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var hasTable = false
        try reader.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'states'") {
            hasTable = $0.int64(0) > 0
        }
        guard hasTable else {
            report.add(.init(severity: .error, code: "states_table", message: "no states table: the transitions view cannot name states"))
            return
        }
        var names: [Int64: String] = [:]
        try reader.query("SELECT code, name FROM states") { names[$0.int64(0)] = $0.string(1) ?? "" }
        for state in TaskState.allCases where names[Int64(state.rawValue)] != state.name {
            let found = names[Int64(state.rawValue)].map { "'\($0)'" } ?? "nothing"
            report.add(
                .init(
                    severity: .error, code: "states_table",
                    message: "states table maps code \(state.rawValue) to \(found), not '\(state.name)'"
                )
            )
        }
    }

    private mutating func readThreads(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var ids: Set<Int64> = []
        try reader.query("SELECT id FROM threads") { ids.insert($0.int64(0)) }
        threadIDs = ids
        report.counts.threads = ids.count
    }

    private mutating func readTasks(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var parents: [TraceTaskID: TraceTaskID?] = [:]
        if reader.formatVersion >= 4 {
            try readBatchedTasks(into: &parents, report: &report)
        } else {
            try reader.query("SELECT id, parent_id FROM tasks") { row in
                // `updateValue`, not a subscript assignment: assigning a nil parent through the subscript would
                // remove the task (the dictionary's values are optional).
                parents.updateValue(row.optionalInt64(1).map { TraceTaskID(bitPattern: $0) }, forKey: TraceTaskID(bitPattern: row.int64(0)))
            }
        }
        self.parents = parents
        report.counts.tasks = parents.count
    }

    /// A version 4 file's tasks as the reader decodes them (`TaskBatchDecoding`): a batch it refuses is
    /// `bad_batch`, a task in two batches `duplicate_task` (the `tasks` view would show it twice, the reader refuses
    /// it); `task_updates` lays parents over them like the view, and an update of no batched task is not a task.
    private func readBatchedTasks(
        into parents: inout [TraceTaskID: TraceTaskID?], report: inout TraceCheckReport
    ) throws(TraceStoreError) {
        var problems: [TraceCheckProblem] = []
        let badBatches = try badBatches(in: "task_batches", column: "tasks") { text in
            try TaskBatchDecoding.forEachTask(in: text) { task in
                if parents.updateValue(task.parentID, forKey: task.id) != nil {
                    problems.append(
                        .init(
                            severity: .error, code: "duplicate_task", taskID: task.id,
                            message: "task \(task.id): is in task_batches more than once"))
                }
            }
        }
        problems += badBatches
        try reader.query("SELECT id, parent_id FROM task_updates WHERE parent_id IS NOT NULL") { row in
            let id = TraceTaskID(bitPattern: row.int64(0))
            if parents[id] != nil { parents[id] = TraceTaskID(bitPattern: row.int64(1)) }
        }
        for problem in problems { report.add(problem) }
    }

    /// Parents that do not exist, and cycles (each reported once, at its smallest task id). Linear in tasks.
    private func checkParents(into report: inout TraceCheckReport) {
        // 0 = not visited, 1 = on the current walk, 2 = done.
        var mark: [TraceTaskID: UInt8] = [:]
        mark.reserveCapacity(parents.count)
        for id in parents.keys.sorted() {
            if let parent = parents[id] ?? nil, parents[parent] == nil {
                report.add(
                    .init(
                        severity: .error, code: "missing_parent", taskID: id,
                        message: "task \(id): parent \(parent) is not in the tasks table"
                    )
                )
            }
            guard mark[id, default: 0] == 0 else { continue }
            var path: [TraceTaskID] = []
            var current: TraceTaskID? = id
            while let at = current, parents[at] != nil, mark[at, default: 0] == 0 {
                mark[at] = 1
                path.append(at)
                current = parents[at] ?? nil
            }
            if let at = current, mark[at, default: 0] == 1, let start = path.firstIndex(of: at) {
                let cycle = Array(path[start...])
                let first = cycle.min() ?? at
                let shown = cycle.prefix(8).map(String.init).joined(separator: " -> ")
                report.add(
                    .init(
                        severity: .error, code: "parent_cycle", taskID: first,
                        message: "task \(first): its parents form a cycle of \(cycle.count) task"
                            + "\(cycle.count == 1 ? "" : "s") (\(shown)\(cycle.count > 8 ? " -> …" : ""))"
                    )
                )
            }
            for visited in path { mark[visited] = 2 }
        }
    }

    /// What the stream needs to remember of one task: its last state code and timestamp.
    private struct LastSeen {
        var state: TaskState
        var timestamp: Int64
    }

    /// Streams the transitions in recorded order (`transition_log`, or `job_log`'s rows slot by slot) and checks
    /// each task's life; returns the tasks seen.
    private func checkTransitions(into report: inout TraceCheckReport) throws(TraceStoreError) -> Set<TraceTaskID> {
        var last: [TraceTaskID: LastSeen] = [:]
        var missingTasks: Set<TraceTaskID> = []
        var count = 0
        let threadIDs = threadIDs
        let parents = parents
        var problems: [TraceCheckProblem] = []

        /// Checks one transition; `place` says where it is stored (`seq 5` or `job_log seq 5, end`).
        func inspect(task: TraceTaskID, timestamp: Int64, code: Int64, thread: Int64?, place: String) {
            count += 1
            let at = "(\(place), at \(timestamp) ns)"
            if parents[task] == nil, missingTasks.insert(task).inserted {
                problems.append(
                    .init(severity: .error, code: "unknown_task", taskID: task, message: "task \(task): has transitions but no row in tasks \(at)")
                )
            }
            if let thread, !threadIDs.contains(thread) {
                problems.append(
                    .init(
                        severity: .error, code: "unknown_thread", taskID: task,
                        message: "task \(task): transition on thread \(thread), which is not in threads \(at)"
                    )
                )
            }
            if timestamp < 0 || timestamp > TraceSchema.maxTimestamp {
                problems.append(
                    .init(
                        severity: .error, code: "timestamp_out_of_range", taskID: task,
                        message: "task \(task): ts_ns \(timestamp) is outside 0…2^62 (\(place))"
                    )
                )
            }
            guard code >= 0, code <= Int64(UInt8.max), let state = TaskState(rawValue: UInt8(code)) else {
                problems.append(
                    .init(severity: .error, code: "bad_state_code", taskID: task, message: "task \(task): state_code \(code) is not a state \(at)")
                )
                return
            }
            if let previous = last[task] {
                if !previous.state.canTransition(to: state) {
                    problems.append(
                        .init(
                            severity: .error, code: "illegal_transition", taskID: task,
                            message: "task \(task): \(previous.state.name) -> \(state.name) is not a legal transition \(at)"
                        )
                    )
                }
                if timestamp < previous.timestamp {
                    problems.append(
                        .init(
                            severity: .error, code: "time_goes_backwards", taskID: task,
                            message: "task \(task): \(state.name) at \(timestamp) ns is before its previous transition "
                                + "at \(previous.timestamp) ns (\(place))"
                        )
                    )
                }
            } else if state != .created {
                problems.append(
                    .init(
                        severity: .error, code: "first_state_not_created", taskID: task,
                        message: "task \(task): its first transition is \(state.name), not created \(at)"
                    )
                )
            }
            last[task] = LastSeen(state: state, timestamp: max(timestamp, last[task]?.timestamp ?? timestamp))
        }

        /// Moves kept problems into the report in batches: the row closures cannot capture `report` inout.
        func flush(_ report: inout TraceCheckReport, atLeast: Int) {
            guard problems.count >= atLeast else { return }
            for problem in problems { report.add(problem) }
            problems.removeAll(keepingCapacity: true)
        }

        if reader.formatVersion >= 2 {
            let sql = "SELECT seq, task_id, created_ns, scheduled_ns, from_thread, running_ns, end_ns, end_code, thread_id, "
                + "end_thread FROM job_log ORDER BY seq"
            try reader.query(sql) { row in
                let seq = row.int64(0)
                let task = TraceTaskID(bitPattern: row.int64(1))
                let place = "job_log seq \(seq)"
                let slots: [(column: Int32, state: TaskState, thread: Int32)] = [
                    (2, .created, 4), (3, .scheduled, 4), (5, .running, 8),
                ]
                for slot in slots {
                    guard let timestamp = row.optionalInt64(slot.column) else { continue }
                    inspect(
                        task: task, timestamp: timestamp, code: Int64(slot.state.rawValue),
                        thread: row.optionalInt64(slot.thread), place: "\(place), \(slot.state.name)"
                    )
                }
                switch (row.optionalInt64(6), row.optionalInt64(7)) {
                case (nil, nil):
                    break
                case (let end?, let code?):
                    if let state = TaskState(rawValue: UInt8(clamping: max(0, code))), code >= 0, code <= 255,
                        state == .created || state == .scheduled || state == .running
                    {
                        problems.append(
                            .init(
                                severity: .error, code: "bad_job_row", taskID: task,
                                message: "task \(task): end_code \(code) (\(state.name)) is not a job's end (\(place))"
                            )
                        )
                    } else {
                        inspect(task: task, timestamp: end, code: code, thread: row.optionalInt64(9), place: "\(place), end")
                    }
                case (_, _):
                    problems.append(
                        .init(
                            severity: .error, code: "bad_job_row", taskID: task,
                            message: "task \(task): end_ns and end_code must be both set or both NULL (\(place))"
                        )
                    )
                }
                flush(&report, atLeast: 256)
            }
        } else {
            try reader.query("SELECT seq, task_id, ts_ns, state_code, thread_id FROM transition_log ORDER BY seq") { row in
                inspect(
                    task: TraceTaskID(bitPattern: row.int64(1)), timestamp: row.int64(2), code: row.int64(3),
                    thread: row.optionalInt64(4), place: "seq \(row.int64(0))"
                )
                flush(&report, atLeast: 256)
            }
        }
        flush(&report, atLeast: 0)
        report.counts.transitions = count
        report.counts.unfinishedTasks = last.values.count { !$0.state.isTerminal }
        return Set(last.keys)
    }

    private func checkMarks(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var problems: [TraceCheckProblem] = []
        var count = 0
        let parents = parents
        let table = reader.formatVersion >= 2 ? "mark_log" : "marks"
        try reader.query("SELECT task_id, ts_ns, kind FROM \(table) ORDER BY rowid") { row in
            count += 1
            let task = row.optionalInt64(0).map { TraceTaskID(bitPattern: $0) }
            let kind = row.string(2) ?? ""
            if let task, parents[task] == nil {
                problems.append(
                    .init(severity: .error, code: "mark_unknown_task", taskID: task, message: "task \(task): a \(kind) mark names a task that is not in tasks")
                )
            }
            let timestamp = row.int64(1)
            if timestamp < 0 || timestamp > TraceSchema.maxTimestamp {
                problems.append(
                    .init(
                        severity: .error, code: "timestamp_out_of_range", taskID: task,
                        message: "\(task.map { "task \($0): " } ?? "")a \(kind) mark has ts_ns \(timestamp), outside 0…2^62"
                    )
                )
            }
        }
        for problem in problems { report.add(problem) }
        report.counts.marks = count
    }

    /// Version 3's batches as the reader decodes them (`JobBatchDecoding`, with the reader's limits): the views
    /// below accept any JSON SQLite reads (`2000.0`, `"7"`, a missing thread), so a batch the reader refuses would
    /// otherwise pass the checks that follow and fail every export.
    private func checkBatches(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var problems: [TraceCheckProblem] = []
        for table in [JobBatchDecoding.jobBatches, JobBatchDecoding.untrackedBatches] {
            problems += try badBatches(in: table.name, column: "jobs") { text in
                try JobBatchDecoding.forEachJob(
                    in: text, maxElements: table.maxElements, requiredElements: table.requiredElements
                ) { _ in }
            }
        }
        for problem in problems { report.add(problem) }
    }

    /// A `bad_batch` problem for each row of `table` whose JSON text (`column`) `decode` refuses, in `seq` order.
    private func badBatches(
        in table: String, column: String, _ decode: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws(TraceStoreError) -> [TraceCheckProblem] {
        var problems: [TraceCheckProblem] = []
        try reader.query("SELECT seq, \(column) FROM \(table) ORDER BY seq") { row in
            let seq = row.int64(0)
            do {
                try row.withText(1) { text in try decode(text) }
            } catch let error as JobBatchDecoding.DecodingError {
                problems.append(
                    .init(
                        severity: .error, code: "bad_batch",
                        message: "\(table) row \(seq) is not the JSON tasktrace writes (at byte \(error.offset))"))
            } catch {
                problems.append(.init(severity: .error, code: "bad_batch", message: "\(table) row \(seq): \(error)"))
            }
        }
        return problems
    }

    private func checkUntrackedJobs(into report: inout TraceCheckReport) throws(TraceStoreError) {
        var problems: [TraceCheckProblem] = []
        var count = 0
        let threadIDs = threadIDs
        let order = reader.formatVersion >= 3 ? "seq" : "rowid"
        try reader.query("SELECT thread_id, start_ns, end_ns FROM untracked_jobs ORDER BY \(order)") { row in
            count += 1
            let thread = row.int64(0)
            let (start, end) = (row.int64(1), row.int64(2))
            if !threadIDs.contains(thread) {
                problems.append(
                    .init(severity: .error, code: "untracked_unknown_thread", message: "an untracked job runs on thread \(thread), which is not in threads")
                )
            }
            if start < 0 || end < 0 || start > TraceSchema.maxTimestamp || end > TraceSchema.maxTimestamp {
                problems.append(
                    .init(
                        severity: .error, code: "timestamp_out_of_range",
                        message: "an untracked job on thread \(thread) has times \(start)…\(end) ns, outside 0…2^62"
                    )
                )
            } else if start > end {
                problems.append(
                    .init(
                        severity: .error, code: "untracked_ends_before_start",
                        message: "an untracked job on thread \(thread) ends at \(end) ns, before it starts at \(start) ns"
                    )
                )
            }
        }
        for problem in problems { report.add(problem) }
        report.counts.untrackedJobs = count
    }
}
