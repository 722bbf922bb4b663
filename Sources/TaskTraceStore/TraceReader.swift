public import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a trace file without ever modifying it.
///
/// Opening checks, in order: the file exists; it is an SQLite database; it is intact (`PRAGMA quick_check`);
/// its format version is not newer than this build's; it has tasktrace's tables. Each failure is its own
/// `TraceStoreError` with a one-line description. Transitions are streamed (each task's in its recorded order), so
/// a trace of millions of rows never needs them all in memory. Reads format versions 1 (a row per transition),
/// 2 (a row per job), 3 (job rows in JSON batches, decoded here rather than through the `job_log` view) and 4 (tasks
/// in JSON batches too, decoded here rather than through the `tasks` view).
///
/// Not thread-safe: use one reader from one thread at a time (`@unchecked Sendable` lets it move between them).
public final class TraceReader: @unchecked Sendable {
    private let connection: SQLiteConnection
    /// The SQL of the queries being stepped right now (see `query`).
    private var activeQueries: Set<String> = []
    public let path: String
    /// The file's format version (`PRAGMA user_version`).
    public let formatVersion: Int

    /// Opens `path` read-only and checks that it is a readable tasktrace file.
    public init(path: String) throws(TraceStoreError) {
        self.path = path
        try Self.checkHeader(path: path)
        do {
            connection = try SQLiteConnection(path: path, mode: .readOnly)
        } catch {
            throw Self.classify(error, path: path)
        }
        do {
            let integrity = try connection.prepare("PRAGMA quick_check(1)")
            if try integrity.step(), let verdict = integrity.string(0), verdict != "ok" {
                integrity.reset()
                throw TraceStoreError.corrupt(path: path, detail: verdict)
            }
            integrity.reset()
            let version = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
            if version > TraceFormat.version {
                throw TraceStoreError.newerFormat(path: path, found: version, supported: TraceFormat.version)
            }
            if version < 0 {
                throw TraceStoreError.corrupt(path: path, detail: "format version \(version)")
            }
            try Self.checkTablesAndColumns(
                connection, TraceSchema.requiredColumns(version: version),
                path: path
            )
            formatVersion = version
        } catch let error as TraceStoreError {
            throw error
        } catch let error as SQLiteError {
            throw Self.classify(error, path: path)
        } catch {
            throw .corrupt(path: path, detail: "\(error)")
        }
    }

    /// Refuses files that lack one of tasktrace's tables, or a column the reader needs.
    private static func checkTablesAndColumns(
        _ connection: SQLiteConnection, _ required: [(table: String, columns: [String])], path: String
    ) throws {
        let tableExists = try connection.prepare("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name=?")
        for (table, columns) in required {
            tableExists.bind(1, table)
            let exists = try tableExists.step() && tableExists.int64(0) > 0
            tableExists.reset()
            guard exists else { throw TraceStoreError.notATrace(path: path, missing: table) }
            var present: Set<String> = []
            let info = try connection.prepare("PRAGMA table_info(\(table))")
            while try info.step() {
                if let name = info.string(1) { present.insert(name) }
            }
            info.reset()
            if let missing = columns.first(where: { !present.contains($0) }) {
                throw TraceStoreError.missingColumn(path: path, table: table, column: missing)
            }
        }
    }

    /// A timestamp column's value, or nil when it lies outside `0...TraceSchema.maxTimestamp` (a damaged file).
    private static func timestamp(_ value: Int64) -> TraceNanos? {
        value >= 0 && value <= TraceSchema.maxTimestamp ? TraceNanos(value) : nil
    }

    /// All `meta` entries.
    public func meta() throws(TraceStoreError) -> [String: String] {
        var result: [String: String] = [:]
        try query("SELECT key, value FROM meta") { statement in
            if let key = statement.string(0) { result[key] = statement.string(1) ?? "" }
        }
        return result
    }

    /// All tasks, ordered by id.
    public func tasks() throws(TraceStoreError) -> [TaskRecord] {
        if formatVersion >= 4 { return try batched { try batchedTasks() } }
        return try taskRows("SELECT id, parent_id, name, kind, file, line, error FROM tasks ORDER BY id")
    }

    /// Rows of a query with the `tasks` table's columns, in the query's order.
    private func taskRows(_ sql: String) throws(TraceStoreError) -> [TaskRecord] {
        var result: [TaskRecord] = []
        try query(sql) { statement in
            result.append(
                TaskRecord(
                    id: TraceTaskID(bitPattern: statement.int64(0)),
                    parentID: statement.optionalInt64(1).map { TraceTaskID(bitPattern: $0) },
                    name: statement.string(2),
                    kind: statement.string(3).flatMap(TaskKind.init(rawValue:)) ?? .unknown,
                    file: statement.string(4),
                    line: statement.optionalInt64(5).map { Int($0) },
                    error: statement.string(6)
                )
            )
        }
        return result
    }

    /// All threads, ordered by id.
    public func threads() throws(TraceStoreError) -> [ThreadRecord] {
        var result: [ThreadRecord] = []
        try query("SELECT id, name, kind FROM threads ORDER BY id") { statement in
            result.append(
                ThreadRecord(
                    id: TraceThreadID(truncatingIfNeeded: statement.int64(0)),
                    name: statement.string(1) ?? "",
                    kind: statement.string(2).flatMap(ThreadKind.init(rawValue:)) ?? .external
                )
            )
        }
        return result
    }

    /// All marks, in time order (ties in recorded order; a version 2 file's inferred outcomes after the others).
    public func marks() throws(TraceStoreError) -> [MarkRecord] {
        var result: [MarkRecord] = []
        var damaged: Int64?
        let table = formatVersion >= 2 ? "mark_log" : "marks"
        try query("SELECT task_id, ts_ns, kind, detail FROM \(table) ORDER BY ts_ns, rowid") { statement in
            guard let timestamp = Self.timestamp(statement.int64(1)) else {
                damaged = damaged ?? statement.int64(1)
                return
            }
            result.append(
                MarkRecord(
                    taskID: statement.optionalInt64(0).map { TraceTaskID(bitPattern: $0) },
                    timestamp: timestamp,
                    kind: statement.string(2) ?? "",
                    detail: statement.string(3)
                )
            )
        }
        if let damaged { throw .corrupt(path: path, detail: "a mark has ts_ns \(damaged), outside 0…2^62") }
        guard formatVersion >= 2 else { return result }
        let inferred = try inferredOutcomeMarks()
        guard !inferred.isEmpty else { return result }
        // Merge the two time-ordered lists; on equal times the stored marks come first.
        var merged: [MarkRecord] = []
        merged.reserveCapacity(result.count + inferred.count)
        var left = result.startIndex
        var right = inferred.startIndex
        while left < result.endIndex || right < inferred.endIndex {
            if right == inferred.endIndex || (left < result.endIndex && result[left].timestamp <= inferred[right].timestamp) {
                merged.append(result[left])
                left += 1
            } else {
                merged.append(inferred[right])
                right += 1
            }
        }
        return merged
    }

    /// The `inferred_outcome` marks a version 2 file stores as `job_log.end_inferred`, in time order.
    private func inferredOutcomeMarks() throws(TraceStoreError) -> [MarkRecord] {
        var result: [MarkRecord] = []
        if formatVersion >= 3 {
            try batched {
                try forEachBatchedJobRow { _, row in
                    guard row.endInferred, let end = row.end, let state = row.endState else { return }
                    result.append(
                        MarkRecord(
                            taskID: row.taskID, timestamp: end, kind: MarkKind.inferredOutcome,
                            detail: InferredOutcomeDetail.detail(for: state) ?? InferredOutcomeDetail.parentEnded
                        )
                    )
                }
            }
            return result.stablySorted(by: \.timestamp)  // rows were read in `seq` order: ties as the SQL below
        }
        var damaged: Int64?
        try query(
            "SELECT task_id, end_ns, end_code FROM job_log WHERE end_inferred = 1 AND end_ns IS NOT NULL ORDER BY end_ns, seq"
        ) { statement in
            guard let timestamp = Self.timestamp(statement.int64(1)) else {
                damaged = damaged ?? statement.int64(1)
                return
            }
            let state = TaskState(rawValue: UInt8(clamping: max(0, statement.int64(2)))) ?? .done
            result.append(
                MarkRecord(
                    taskID: TraceTaskID(bitPattern: statement.int64(0)), timestamp: timestamp,
                    kind: MarkKind.inferredOutcome,
                    detail: InferredOutcomeDetail.detail(for: state) ?? InferredOutcomeDetail.parentEnded
                )
            )
        }
        if let damaged { throw .corrupt(path: path, detail: "a job row has end_ns \(damaged), outside 0…2^62") }
        return result
    }

    /// Jobs that belonged to no known task (default actors), in time order.
    public func untrackedJobs() throws(TraceStoreError) -> [UntrackedJobRecord] {
        var result: [UntrackedJobRecord] = []
        if formatVersion >= 3 {
            let jobs = try batched { try batchedUntrackedJobs() }
            result.reserveCapacity(jobs.count)
            for job in jobs {
                guard let start = Self.timestamp(job.start), let end = Self.timestamp(job.end), start <= end else {
                    throw .corrupt(path: path, detail: "an untracked job has times outside 0…2^62 or ends before it starts")
                }
                result.append(UntrackedJobRecord(threadID: TraceThreadID(truncatingIfNeeded: job.thread), start: start, end: end))
            }
            return result.stablySorted(by: \.start)  // ties in recorded order, as the SQL below
        }
        var damaged = false
        try query("SELECT thread_id, start_ns, end_ns FROM untracked_jobs ORDER BY start_ns, rowid") { statement in
            guard let start = Self.timestamp(statement.int64(1)), let end = Self.timestamp(statement.int64(2)),
                start <= end
            else {
                damaged = true
                return
            }
            result.append(
                UntrackedJobRecord(
                    threadID: TraceThreadID(truncatingIfNeeded: statement.int64(0)), start: start, end: end
                )
            )
        }
        if damaged { throw .corrupt(path: path, detail: "an untracked job has times outside 0…2^62 or ends before it starts") }
        return result
    }

    /// Number of rows of `table` (the `transitions` and `marks` views count what they show), without reading them.
    public func rowCount(of table: TraceTable) throws(TraceStoreError) -> Int {
        switch table {
        case .transitions: return try transitionCount()
        case .marks where formatVersion >= 3:
            var count = 0
            try query("SELECT count(*) FROM mark_log") { count = Int($0.int64(0)) }
            try batched {
                try forEachBatchedJobRow { _, row in if row.endInferred, row.end != nil { count += 1 } }
            }
            return count
        case .marks where formatVersion >= 2:
            var count = 0
            try query(
                "SELECT (SELECT count(*) FROM mark_log) + (SELECT count(*) FROM job_log WHERE end_inferred = 1 AND end_ns IS NOT NULL)"
            ) { count = Int($0.int64(0)) }
            return count
        default:
            var count = 0
            try query("SELECT count(*) FROM \(table.rawValue)") { count = Int($0.int64(0)) }
            return count
        }
    }

    /// Number of transitions in the trace.
    public func transitionCount() throws(TraceStoreError) -> Int {
        var count = 0
        if formatVersion >= 3 {
            try batched { try forEachBatchedJobRow { _, row in row.forEachTransition { _ in count += 1 } } }
            return count
        }
        let sql =
            formatVersion >= 2
            ? "SELECT count(created_ns) + count(scheduled_ns) + count(running_ns) + count(end_code) FROM job_log"
            : "SELECT count(*) FROM transition_log"
        try query(sql) { count = Int($0.int64(0)) }
        return count
    }

    /// Calls `body` for every transition: each task's transitions in their recorded order, tasks interleaved as
    /// they were recorded (a version 1 file: all in time order), without loading them all.
    /// - Parameter taskID: only that task's transitions, when given.
    /// - Throws: `TraceStoreError` for a file that fails mid-read, or whatever `body` throws.
    public func forEachTransition(
        taskID: TraceTaskID? = nil, _ body: (TransitionRecord) throws -> Void
    ) throws {
        if formatVersion >= 2 {
            try forEachJobRow(taskID: taskID) { row in try row.forEachTransition(body) }
            return
        }
        let sql: String
        if taskID != nil {
            sql = "SELECT task_id, ts_ns, state_code, thread_id FROM transition_log WHERE task_id = ? ORDER BY ts_ns, seq"
        } else {
            sql = "SELECT task_id, ts_ns, state_code, thread_id FROM transition_log ORDER BY ts_ns, seq"
        }
        var bodyError: (any Error)?
        try query(sql, bind: { statement in
            if let taskID { statement.bind(1, Int64(bitPattern: taskID)) }
        }) { statement in
            guard bodyError == nil else { return }
            let code = statement.int64(2)
            guard let state = TaskState(rawValue: UInt8(clamping: code)), code >= 0 else {
                bodyError = TraceStoreError.corrupt(path: path, detail: "a transition has state_code \(code)")
                return
            }
            guard let timestamp = Self.timestamp(statement.int64(1)) else {
                bodyError = TraceStoreError.corrupt(
                    path: path, detail: "a transition has ts_ns \(statement.int64(1)), outside 0…2^62"
                )
                return
            }
            let record = TransitionRecord(
                taskID: TraceTaskID(bitPattern: statement.int64(0)),
                timestamp: timestamp,
                state: state,
                threadID: TraceThreadID(truncatingIfNeeded: statement.optionalInt64(3) ?? 0)
            )
            do { try body(record) } catch { bodyError = error }
        }
        if let bodyError { throw bodyError }
    }

    /// Calls `body` for every `job_log` row of a version 2 or 3 file, in recorded order.
    /// - Throws: `TraceStoreError.corrupt` for a row with a time outside 0…2^62, an end code that is not a job's
    ///   end, or an end time without an end code (and the reverse); or whatever `body` throws.
    public func forEachJobRow(taskID: TraceTaskID? = nil, _ body: (JobRow) throws -> Void) throws {
        guard formatVersion >= 2 else { return }
        if formatVersion >= 3 {
            try forEachBatchedJobRow { _, row in
                if taskID == nil || row.taskID == taskID { try body(row) }
            }
            return
        }
        let columns =
            "SELECT task_id, created_ns, scheduled_ns, from_thread, running_ns, end_ns, end_code, thread_id, end_thread, end_inferred FROM job_log"
        let sql = taskID == nil ? columns + " ORDER BY seq" : columns + " WHERE task_id = ? ORDER BY seq"
        var bodyError: (any Error)?
        try query(sql, bind: { statement in
            if let taskID { statement.bind(1, Int64(bitPattern: taskID)) }
        }) { statement in
            guard bodyError == nil else { return }
            do {
                try body(try decodeJobRow(statement))
            } catch {
                bodyError = error
            }
        }
        if let bodyError { throw bodyError }
    }

    private func decodeJobRow(_ statement: SQLiteStatement) throws(TraceStoreError) -> JobRow {
        try makeJobRow { column in statement.optionalInt64(column) }
    }

    /// A job row from its `job_log` columns in the view's order (task_id, created_ns, scheduled_ns, from_thread,
    /// running_ns, end_ns, end_code, thread_id, end_thread, end_inferred), checked for damage.
    private func makeJobRow(_ value: (Int32) -> Int64?) throws(TraceStoreError) -> JobRow {
        func time(_ column: Int32, _ name: String) throws(TraceStoreError) -> TraceNanos? {
            guard let value = value(column) else { return nil }
            guard let timestamp = Self.timestamp(value) else {
                throw .corrupt(path: path, detail: "a job row has \(name) \(value), outside 0…2^62")
            }
            return timestamp
        }
        var row = JobRow(taskID: TraceTaskID(bitPattern: value(0) ?? 0))
        row.created = try time(1, "created_ns")
        row.scheduled = try time(2, "scheduled_ns")
        row.fromThread = TraceThreadID(truncatingIfNeeded: value(3) ?? 0)
        row.running = try time(4, "running_ns")
        row.end = try time(5, "end_ns")
        row.threadID = TraceThreadID(truncatingIfNeeded: value(7) ?? 0)
        row.endThread = TraceThreadID(truncatingIfNeeded: value(8) ?? 0)
        row.endInferred = value(9) == 1  // as the `marks` view reads it (`end_inferred = 1`)
        if let code = value(6) {
            guard code >= 0, code <= Int64(UInt8.max), let state = TaskState(rawValue: UInt8(code)), state.isJobEnd else {
                throw .corrupt(path: path, detail: "a job row has end_code \(code), which is not a job's end")
            }
            row.endState = state
        }
        if (row.end == nil) != (row.endState == nil) {
            throw .corrupt(path: path, detail: "a job row has end_ns without end_code, or end_code without end_ns")
        }
        return row
    }

    // MARK: - Format version 3's batches, read without SQLite's JSON functions

    /// Runs a batch read where only `TraceStoreError`s can arise, keeping the typed throw of the public API.
    private func batched<R>(_ body: () throws -> R) throws(TraceStoreError) -> R {
        do {
            return try body()
        } catch let error as TraceStoreError {
            throw error
        } catch {
            throw .corrupt(path: path, detail: "\(error)")
        }
    }

    /// Calls `body` with every `job_log` row of a version 3 file and its `seq`, in recorded order, decoding the
    /// `job_batches` text here (`JobBatchDecoding`) — what the `job_log` view computes, ~10× faster.
    private func forEachBatchedJobRow(_ body: (Int64, JobRow) throws -> Void) throws {
        typealias E = JobBatchEncoding.Element
        // The view's columns, by the position of each in a job's JSON array; times get the batch's base added.
        let elementOfColumn = [E.taskID, E.created, E.scheduled, E.fromThread, E.running, E.end, E.endCode,
                               E.threadID, E.endThread, E.endInferred]
        let isTime = [false, true, true, false, true, true, false, false, false, false]
        try forEachBatch(JobBatchDecoding.jobBatches) { seq, base, elements in
            let row = try makeJobRow { column in
                guard let value = elements[elementOfColumn[Int(column)]] else { return nil }
                guard isTime[Int(column)] else { return value }
                let (sum, overflow) = base.addingReportingOverflow(value)
                return overflow ? -1 : sum  // out of range: reported as damage by `makeJobRow`
            }
            try body(seq, row)
        }
    }

    /// A version 4 file's tasks ordered by id, as the `tasks` view shows them: the first records decoded from
    /// `task_batches` here (`TaskBatchDecoding`), each with its `task_updates` row laid over it. A task in two
    /// batches is damage (the view would show it twice); an update without a batched task is not a task (nor is it
    /// in the view).
    private func batchedTasks() throws -> [TaskRecord] {
        var tasks: [TaskRecord] = []
        try forEachBatchRow("SELECT seq, tasks FROM task_batches ORDER BY seq", table: "task_batches") { _, text in
            try TaskBatchDecoding.forEachTask(in: text) { tasks.append($0) }
        }
        // Written in order of creation, which is nearly id order: sorted only where it is not.
        if zip(tasks, tasks.dropFirst()).contains(where: { $0.id >= $1.id }) { tasks.sort { $0.id < $1.id } }
        for (task, next) in zip(tasks, tasks.dropFirst()) where task.id == next.id {
            throw TraceStoreError.corrupt(path: path, detail: "task \(task.id) is in task_batches twice")
        }
        for update in try taskRows("SELECT id, parent_id, name, kind, file, line, error FROM task_updates") {
            let position = tasks.partitioningIndex { $0.id >= update.id }
            if position < tasks.count, tasks[position].id == update.id {
                tasks[position] = tasks[position].merging(update)
            }
        }
        return tasks
    }

    /// Untracked jobs of a version 3 file in recorded order, from `untracked_batches`.
    private func batchedUntrackedJobs() throws -> [(start: Int64, end: Int64, thread: Int64)] {
        var result: [(start: Int64, end: Int64, thread: Int64)] = []
        try forEachBatch(JobBatchDecoding.untrackedBatches) { _, base, elements in
            func time(_ index: Int) -> Int64 {
                let (sum, overflow) = base.addingReportingOverflow(elements[index] ?? 0)
                return overflow ? -1 : sum
            }
            result.append((start: time(1), end: time(2), thread: elements[0] ?? 0))
        }
        return result
    }

    /// Decodes every row of a batch table in `seq` order and calls `body` per job with its `seq` (as the views
    /// number it), the batch's `base_ns` and its elements.
    private func forEachBatch(
        _ table: JobBatchDecoding.Table, _ body: (Int64, Int64, UnsafeBufferPointer<Int64?>) throws -> Void
    ) throws {
        try forEachBatchRow("SELECT seq, jobs, base_ns FROM \(table.name) ORDER BY seq", table: table.name) {
            statement, text in
            let batch = statement.int64(0)
            let base = statement.int64(2)
            var index: Int64 = 0
            try JobBatchDecoding.forEachJob(
                in: text, maxElements: table.maxElements, requiredElements: table.requiredElements
            ) { elements in
                index += 1
                try body((batch &- 1) &* Int64(JobBatchEncoding.seqStride) &+ index, base, elements)
            }
        }
    }

    /// Runs `sql` (a batch table's `seq`, then its JSON text, then any other column) and calls `decode` with each
    /// row and its text; text the decoder refuses is a `.corrupt` error naming the row of `table`, and the first
    /// error ends the read.
    private func forEachBatchRow(
        _ sql: String, table: String, _ decode: (SQLiteStatement, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var failure: (any Error)?
        try query(sql) { statement in
            guard failure == nil else { return }
            do {
                try statement.withText(1) { text in try decode(statement, text) }
            } catch let error as JobBatchDecoding.DecodingError {
                failure = TraceStoreError.corrupt(
                    path: path,
                    detail: "\(table) row \(statement.int64(0)) is not the JSON tasktrace wrote (at byte \(error.offset))")
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Runs a query and calls `row` for each result row; SQLite errors become `TraceStoreError`.
    /// A query run from inside another one's `row` callback gets a statement of its own (the cached one is still
    /// being stepped, and resetting it would restart the outer loop over memory SQLite may have freed).
    package func query(
        _ sql: String, bind: (SQLiteStatement) -> Void = { _ in }, row: (SQLiteStatement) -> Void
    ) throws(TraceStoreError) {
        do {
            let nested = activeQueries.contains(sql)
            let statement = nested ? try connection.prepareUncached(sql) : try connection.prepare(sql)
            if !nested { activeQueries.insert(sql) }
            defer {
                statement.reset()
                if !nested { activeQueries.remove(sql) }
            }
            bind(statement)
            while try statement.step() { row(statement) }
        } catch {
            throw Self.classify(error, path: path)
        }
    }

    /// Rejects missing files, directories and files that do not start with SQLite's magic header.
    private static func checkHeader(path: String) throws(TraceStoreError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .fileNotFound(path: path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notSQLite(path: path)
        }
        guard let file = fopen(path, "rb") else {
            throw .readOnlyLocation(path: path, detail: "cannot open the file for reading (permission denied?)")
        }
        defer { fclose(file) }
        var header = [UInt8](repeating: 0, count: 16)
        let read = fread(&header, 1, 16, file)
        let magic = Array("SQLite format 3".utf8) + [0]
        guard read == 16, header == magic else { throw .notSQLite(path: path) }
    }

    private static func classify(_ error: SQLiteError, path: String) -> TraceStoreError {
        // The views unpack version 3's batches with json_each: damaged JSON text fails the query.
        if error.primaryCode == 1, error.message.contains("JSON") {
            return .corrupt(path: path, detail: "a job batch is not the JSON tasktrace wrote (\(error.message))")
        }
        return switch error.primaryCode {
        case 26: .notSQLite(path: path)  // SQLITE_NOTADB
        case 11: .corrupt(path: path, detail: error.message)  // SQLITE_CORRUPT
        case 13: .corrupt(path: path, detail: error.message)  // SQLITE_FULL (truncated reads surface oddly)
        case 10: .corrupt(path: path, detail: error.message)  // SQLITE_IOERR (short read of a truncated file)
        case 14:  // SQLITE_CANTOPEN: a WAL trace whose -shm cannot be created (read-only folder)
            .readOnlyLocation(
                path: path,
                detail: "cannot open the trace: it was not finished (it has a -wal file) and SQLite cannot create its "
                    + "-shm index in this folder; copy the .sqlite and .sqlite-wal files to a writable folder"
            )
        case 8:  // SQLITE_READONLY_*: e.g. a leftover rollback journal that reading would have to replay
            .readOnlyLocation(
                path: path,
                detail: "the trace has a leftover -journal file from an interrupted write, and tasktrace opens traces "
                    + "read-only; run `sqlite3 \(path) 'PRAGMA quick_check'` once to roll it back, then try again"
            )
        default: .sqlite(error)
        }
    }
}

extension Array {
    /// The first index whose element is `isAtOrAfter` (a binary search: `isAtOrAfter` must be false, then true, along
    /// the array), or `endIndex`.
    fileprivate func partitioningIndex(where isAtOrAfter: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if isAtOrAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Sorted by `key`, elements with equal keys in their present order: what `ORDER BY key, seq` gives for rows
    /// read in `seq` order.
    fileprivate func stablySorted(by key: (Element) -> TraceNanos) -> [Element] {
        enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element)
    }
}
