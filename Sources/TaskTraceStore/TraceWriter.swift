import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one trace file: schema, metadata, batches of rows, then the end of the recording.
///
/// Every `write` is one transaction with cached prepared statements, in WAL mode with `synchronous=OFF`, so
/// a process killed mid-recording leaves every committed batch readable (a power loss may lose the end).
/// Transitions are packed into one `job_log` row per job (`JobRowPacker`): a job's row is written once the job
/// ended, or after it was held for `holdNanos`; a page's worth of rows go into one `job_batches` row of JSON
/// (`JobBatchEncoding`), untracked jobs likewise into `untracked_batches`, and each task's first record into
/// `task_batches` (`TaskBatchEncoding`; what is learnt of a task later is upserted into `task_updates`). `finish`
/// writes the held rows and turns the file back into a single self-contained file (journal mode DELETE).
///
/// Not thread-safe: the recorder's writer thread owns it (that ownership is what `@unchecked Sendable` relies on).
///
/// ```swift
/// let writer = try TraceWriter(path: "run.sqlite")
/// try writer.setMeta([MetaKey.command: "my-tool"])
/// try writer.write(TraceBatch(transitions: records))
/// try writer.finish(meta: [MetaKey.endedUnixNs: "\(now)"])
/// ```
public final class TraceWriter: @unchecked Sendable {
    /// Closed in `deinit`, before `lock` is released (see there).
    private let connection: SQLiteConnection
    private let lock: TraceFileLock
    public let path: String
    public private(set) var isFinished = false
    private var packer: JobRowPacker
    /// Reused between writes: the rows one write inserts.
    private var rows: [JobRow] = []
    /// Tasks whose first record is in `task_batches` (committed): a later record of theirs goes to `task_updates`.
    private var batchedTasks = TaskIDIndex()
    /// Reused between writes: one write's new tasks (records of one task merged) and where each one is in it, and
    /// its records of tasks batched before.
    private var newTasks: [TaskRecord] = []
    private var newTaskIndex = TaskIDIndex()
    private var taskUpdates: [TaskRecord] = []

    /// How long a job's row is held by default waiting for the job's end (see `JobRowPacker`).
    public static let defaultHoldNanos: UInt64 = 100_000_000

    /// Creates a new trace at `path`, replacing any file (and its `-wal`/`-shm` companions) already there.
    /// - Parameter holdNanos: how long an unfinished job's row may wait for the job's end before it is written
    ///   as a partial row (the most a killed recording loses beyond its last flush).
    /// - Throws: `TraceStoreError.inUse` when another recording writes `path`, `.isDirectory`, or `.cannotCreate`
    ///   when the path cannot be written.
    public convenience init(path: String, holdNanos: UInt64 = TraceWriter.defaultHoldNanos) throws(TraceStoreError) {
        // Claims the path first: a second recording on it is refused, never interleaved (see TraceFileLock).
        try self.init(claim: TracePathClaim(path: path), holdNanos: holdNanos)
    }

    /// Creates the trace on a path claimed before (see `TracePathClaim`), then closes the replaced trace's file if
    /// there was one (freeing its pages is this thread's work, not the claimer's).
    /// - Throws: `TraceStoreError.vanished` when the claimed file was deleted or moved (or its folder removed) since
    ///   the claim — nothing is created in its place; `.cannotCreate` when the schema cannot be written (the file
    ///   is removed).
    public init(claim: TracePathClaim, holdNanos: UInt64 = TraceWriter.defaultHoldNanos) throws(TraceStoreError) {
        path = claim.path
        packer = JobRowPacker(holdNanos: holdNanos)
        lock = claim.lock
        defer { claim.lock.closeReplacedFile() }
        // SQLite opens by path: a path that names another file by now, or none, must not be opened (or created).
        guard claim.lock.pathStillNamesFile else { throw .vanished(path: claim.path) }
        do {
            connection = try Self.createSchema(path: claim.path, lock: claim.lock)
        } catch {
            guard claim.lock.pathStillNamesFile else { throw .vanished(path: claim.path) }
            unlink(claim.path)
            throw .cannotCreate(path: claim.path, detail: error.message)
        }
    }

    /// WAL pages after which a commit folds the WAL into the file (a passive checkpoint, SQLite's own): 1 MiB of
    /// 16 KiB pages. SQLite's default of 1,000 pages (16 MiB) never triggered in a recording of a few MB, which then
    /// paid the whole fold when it finished (~1 ms per MB here, in the program's wait for `record` to return); the
    /// writer does it as it goes instead, while the program runs (or, behind a busy program, on the write-ahead
    /// thread).
    static let autocheckpointPages = 64

    /// Fills the new file with the empty trace's image (or creates the schema statement by statement where no image
    /// can be had), opens it and switches it to WAL.
    private static func createSchema(path: String, lock: TraceFileLock) throws(SQLiteError) -> SQLiteConnection {
        let fromImage = EmptyTraceImage.bytes.map { lock.fill(with: $0) } ?? false
        let connection = try SQLiteConnection(path: path, mode: .readWriteCreate)
        do {
            // synchronous=OFF: no fsync per batch or checkpoint. A killed process still leaves every committed
            // batch readable (the operating system holds the written pages); only a power loss or kernel crash
            // mid-recording can lose the end of the trace — a trade a trace file can afford (docs/performance.md).
            // Set first: switching a new file to WAL under the default synchronous=FULL costs four fsyncs, which
            // made an empty recording take 11–18 ms instead of ~2 ms here. (page_size matters only without the
            // image: an existing file keeps its own.)
            try connection.execute(
                "PRAGMA synchronous=OFF; PRAGMA page_size=\(EmptyTraceImage.pageSize); PRAGMA journal_mode=WAL; "
                    + "PRAGMA wal_autocheckpoint=\(Self.autocheckpointPages);")
            if !fromImage { try EmptyTraceImage.create(on: connection) }
        } catch let error as SQLiteError {
            connection.close()
            throw error
        } catch {
            connection.close()
            throw SQLiteError(code: -1, message: "\(error)")
        }
        return connection
    }

    deinit {
        // SQLite first: closing the lock's descriptor while SQLite still has the file open would drop SQLite's
        // POSIX locks (closing any descriptor of a file drops the process's POSIX locks on it).
        connection.close()
    }

    /// Sets `meta` entries (insert or replace), in a transaction of their own.
    public func setMeta(_ entries: [String: String]) throws(TraceStoreError) {
        try wrap { try connection.transaction { try Self.upsertMeta(entries, on: connection) } }
    }

    /// Writes one batch in one transaction, with the held job rows that waited `holdNanos` for their job's end.
    public func write(_ batch: TraceBatch) throws(TraceStoreError) {
        let now = Self.monotonicNanos()
        var marks = packer.absorbInferredMarks(from: batch.marks)
        rows.removeAll(keepingCapacity: true)
        packer.pack(batch.transitions, slots: batch.transitionSlots, now: now, into: &rows)
        packer.drainStale(now: now, into: &rows)
        marks += packer.unabsorbedMarks()
        guard !rows.isEmpty || !batch.tasks.isEmpty || !batch.threads.isEmpty || !marks.isEmpty
            || !batch.untrackedJobs.isEmpty
        else { return }
        splitTasks(batch.tasks)
        try wrap {
            try connection.transaction {
                try insertThreads(batch.threads)
                try insertTaskBatches(newTasks)
                try upsertTaskUpdates(taskUpdates)
                try insertJobRows(rows)
                try insertMarks(marks)
                try insertUntrackedJobs(batch.untrackedJobs)
            }
        }
        for task in newTasks { batchedTasks.insert(task.id, 0) }
    }

    /// Sorts `records` into `newTasks` (the first record of a task not batched yet, with its later records in this
    /// write merged into it) and `taskUpdates` (records of tasks batched by an earlier write), in their order.
    private func splitTasks(_ records: [TaskRecord]) {
        newTasks.removeAll(keepingCapacity: true)
        newTaskIndex.removeAll()
        taskUpdates.removeAll(keepingCapacity: true)
        for record in records {
            if batchedTasks[record.id] != nil {
                taskUpdates.append(record)
            } else if let index = newTaskIndex[record.id] {
                newTasks[index] = newTasks[index].merging(record)
            } else {
                newTaskIndex.insert(record.id, newTasks.count)
                newTasks.append(record)
            }
        }
    }

    /// Writes the job rows held for `holdNanos` or longer; the recorder calls it when a flush found no events, so
    /// an idle program's queued or running jobs still reach the file.
    public func writeHeldRows() throws(TraceStoreError) {
        guard packer.heldCount > 0 else { return }
        try write(TraceBatch())
    }

    /// Number of job rows held, waiting for their job's end.
    public var heldRowCount: Int { packer.heldCount }

    /// Ends the recording: writes the held job rows and the final `meta`, and leaves a single file without a WAL.
    /// Calling it twice does nothing the second time.
    public func finish(meta: [String: String] = [:]) throws(TraceStoreError) {
        guard !isFinished else { return }
        guard lock.pathStillNamesFile else { throw .vanished(path: path) }
        rows.removeAll(keepingCapacity: true)
        packer.drainAll(into: &rows)
        let marks = packer.unabsorbedMarks()
        try wrap {
            try connection.transaction {
                try insertJobRows(rows)
                try insertMarks(marks)
                try Self.upsertMeta(meta, on: connection)
                WriterTestHook.insideFinalTransaction()
            }
        }
        try leaveWALMode()
        isFinished = true
    }

    private static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Copies the WAL's committed pages into the file now (a passive checkpoint: it never waits for a reader), so
    /// `finish` has less left to fold, and the WAL starts over from its beginning at the next write instead of
    /// growing. Best effort, like `finish`'s: a reader holding an old snapshot keeps some pages in the WAL.
    public func checkpoint() throws(TraceStoreError) {
        guard !isFinished else { return }
        // A file deleted or moved: nothing to fold into (the next write reports it as `.vanished`).
        guard lock.pathStillNamesFile else { throw .vanished(path: path) }
        do {
            try connection.execute("PRAGMA wal_checkpoint(PASSIVE);")
        } catch where error.primaryCode == 5 || error.primaryCode == 6 {  // SQLITE_BUSY, SQLITE_LOCKED
        } catch {
            throw writeFailure(error)
        }
    }

    /// Folds the WAL back into the file and returns to journal mode DELETE. Best effort: a reader holding the file
    /// open (a user inspecting the live trace) can keep the WAL from being folded back in. The trace is complete
    /// either way; it then simply stays in WAL mode.
    private func leaveWALMode() throws(TraceStoreError) {
        do {
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
        } catch where error.primaryCode == 5 || error.primaryCode == 6 {  // SQLITE_BUSY, SQLITE_LOCKED
        } catch {
            throw writeFailure(error)
        }
    }

    /// Runs one write, first making sure the path still names this trace (a deleted or moved file would take
    /// every later batch into an unlinked inode silently); failures become one clear `TraceStoreError`.
    private func wrap(_ body: () throws -> Void) throws(TraceStoreError) {
        guard lock.pathStillNamesFile else { throw .vanished(path: path) }
        do {
            try body()
        } catch let error as SQLiteError {
            throw writeFailure(error)
        } catch {
            throw .writeFailed(path: path, detail: "\(error)")
        }
    }

    /// SQLite's message, with the operating system's reason for I/O failures ("disk I/O error: File too large"),
    /// or `.vanished` when the file was removed meanwhile: between `wrap`'s check and the write, SQLite refuses to
    /// leave WAL mode in a file that was moved ("attempt to write a readonly database", SQLITE_READONLY_DBMOVED),
    /// and the removal is the reason to give.
    private func writeFailure(_ error: SQLiteError) -> TraceStoreError {
        guard lock.pathStillNamesFile else { return .vanished(path: path) }
        var detail = error.message
        let systemErrno = error.systemErrno
        if [10, 13, 14].contains(error.primaryCode) {  // SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
            if systemErrno != 0 {
                detail += ": \(String(cString: strerror(systemErrno)))"
            } else if let reason = WriteFailureReason.guess(path: path) {
                detail += ": \(reason)"
            }
        }
        return .writeFailed(path: path, detail: detail)
    }

    /// Sets `meta` entries (insert or replace) on `connection`, in key order; the caller holds the transaction.
    static func upsertMeta(_ entries: [String: String], on connection: SQLiteConnection) throws {
        let statement = try connection.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            statement.bind(1, key)
            statement.bind(2, value)
            try statement.run()
        }
    }

    private func insertThreads(_ threads: [ThreadRecord]) throws {
        guard !threads.isEmpty else { return }
        let statement = try connection.prepare("INSERT OR REPLACE INTO threads(id, name, kind) VALUES (?, ?, ?)")
        for thread in threads {
            statement.bind(1, Int64(thread.id))
            statement.bind(2, thread.name)
            statement.bind(3, thread.kind.rawValue)
            try statement.run()
        }
    }

    /// Rows per multi-row INSERT, largest first: a batch goes through statements of 128 rows, its rest through
    /// statements of 16, the last few one by one. One statement step per many rows roughly doubled ingest speed
    /// against one per row; 128 rather than 32 cut `TraceWriter.write` by another 5.8 % of its instructions on the
    /// store-ceiling shape (callgrind, 2026-12-07), and the 16-row middle keeps a small flush's rows (a quiet
    /// program's ~100 task rows) off the slow one-row path.
    private static let rowsPerStatementLadder = [128, 16, 1]

    /// Inserts `rows` in order with multi-row statements of each size of `rowsPerStatementLadder` in turn: `head`
    /// is the statement up to `VALUES`, `tail` what follows the value lists, `bind` binds one row's `columns`
    /// parameters starting at the given index. Multi-row statements apply their rows in order.
    private func insertRows<Row>(
        _ rows: [Row], head: String, columns: Int, tail: String = "",
        bind: (Row, SQLiteStatement, Int32) -> Void
    ) throws {
        guard !rows.isEmpty else { return }
        var index = rows.startIndex
        for size in Self.rowsPerStatementLadder where rows.endIndex - index >= size {
            let statement = try connection.prepareRows(head: head, columns: columns, rows: size, tail: tail)
            while rows.endIndex - index >= size {
                var parameter: Int32 = 1
                for row in rows[index..<(index + size)] {
                    bind(row, statement, parameter)
                    parameter += Int32(columns)
                }
                try statement.run()
                index += size
            }
        }
    }

    /// Upserts records of tasks already in `task_batches`: a later record for an id fills in what an earlier one
    /// lacked (`TaskRecord.merging`'s rule), also within one statement.
    private func upsertTaskUpdates(_ tasks: [TaskRecord]) throws {
        try insertRows(
            tasks, head: "INSERT INTO task_updates(id, parent_id, name, kind, file, line, error) VALUES ", columns: 7,
            tail: """

                ON CONFLICT(id) DO UPDATE SET
                    parent_id = coalesce(excluded.parent_id, parent_id),
                    name = coalesce(excluded.name, name),
                    kind = CASE WHEN excluded.kind = 'unknown' THEN kind ELSE excluded.kind END,
                    file = coalesce(excluded.file, file),
                    line = coalesce(excluded.line, line),
                    error = coalesce(excluded.error, error)
                """
        ) { task, statement, first in
            statement.bind(first, Int64(bitPattern: task.id))
            statement.bind(first + 1, task.parentID.map { Int64(bitPattern: $0) })
            statement.bind(first + 2, task.name)
            statement.bind(first + 3, Self.kindText(task.kind))
            statement.bind(first + 4, task.file)
            statement.bind(first + 5, task.line.map { Int64($0) })
            statement.bind(first + 6, task.error)
        }
    }

    /// Each kind's text, bound in place (see `PermanentText`).
    private enum KindText {
        static let root = PermanentText(TaskKind.root.rawValue)
        static let spawned = PermanentText(TaskKind.spawned.rawValue)
        static let groupChild = PermanentText(TaskKind.groupChild.rawValue)
        static let asyncLet = PermanentText(TaskKind.asyncLet.rawValue)
        static let blocking = PermanentText(TaskKind.blocking.rawValue)
        static let unknown = PermanentText(TaskKind.unknown.rawValue)
    }

    private static func kindText(_ kind: TaskKind) -> PermanentText {
        switch kind {
        case .root: KindText.root
        case .spawned: KindText.spawned
        case .groupChild: KindText.groupChild
        case .asyncLet: KindText.asyncLet
        case .blocking: KindText.blocking
        case .unknown: KindText.unknown
        }
    }

    private func insertJobRows(_ jobRows: [JobRow]) throws {
        try insertBatches(
            jobRows, into: "job_batches", rowsPerBatch: &jobRowsPerBatch, base: JobBatchEncoding.base,
            encode: JobBatchEncoding.encode)
    }

    private func insertUntrackedJobs(_ jobs: [UntrackedJobRecord]) throws {
        try insertBatches(
            jobs, into: "untracked_batches", rowsPerBatch: &untrackedJobsPerBatch, base: JobBatchEncoding.base,
            encode: JobBatchEncoding.encode)
    }

    /// `task_batches` rows have no `base_ns`: a task's record holds no time.
    private func insertTaskBatches(_ tasks: [TaskRecord]) throws {
        try insertBatches(tasks, into: "task_batches", textColumn: "tasks", rowsPerBatch: &tasksPerBatch, base: nil) {
            tasks, _, text in
            TaskBatchEncoding.encode(tasks, into: &text)
        }
    }

    /// Items per batch row of each table, learnt from the text of the batches written so far (see `insertBatches`).
    private var jobRowsPerBatch = JobBatchEncoding.maxJobsPerBatch / 2
    private var untrackedJobsPerBatch = JobBatchEncoding.maxJobsPerBatch / 2
    private var tasksPerBatch = JobBatchEncoding.maxJobsPerBatch / 2

    /// Inserts `items` in order as rows of `table` (`seq`, `base_ns`, then the JSON text in `textColumn`; a table
    /// without `base_ns` when `base` is nil): `base` gives a batch's `base_ns`, `encode` its JSON text. A batch takes
    /// `rowsPerBatch` items (at most `JobBatchEncoding.maxJobsPerBatch`), a number set after each batch from its
    /// bytes per item so that the next one's text comes to about
    /// `JobBatchEncoding.targetBatchBytes`: one row filling one page. A fixed 512 items left untracked batches
    /// (~9 KB) one to a half-empty page and job batches (~18 KB) spilling into overflow pages; the yield-heavy
    /// trace was 7.2 MB for ~5 MB of text, all of it written twice (the WAL, then the file).
    private func insertBatches<Item>(
        _ items: [Item], into table: String, textColumn: String = "jobs", rowsPerBatch: inout Int,
        base: ((ArraySlice<Item>) -> TraceNanos)?, encode: (ArraySlice<Item>, TraceNanos, inout [UInt8]) -> Void
    ) throws {
        guard !items.isEmpty else { return }
        let statement = try connection.prepare(
            base == nil
                ? "INSERT INTO \(table)(\(textColumn)) VALUES (?)"
                : "INSERT INTO \(table)(base_ns, \(textColumn)) VALUES (?, ?)")
        var start = items.startIndex
        var batchText: [UInt8] = []
        while start < items.endIndex {
            let batch = items[start..<min(start + rowsPerBatch, items.endIndex)]
            let batchBase = base?(batch) ?? 0
            encode(batch, batchBase, &batchText)
            if batch.count >= rowsPerBatch / 2 {
                // A short batch (the end of a write) says little about full ones.
                rowsPerBatch = JobBatchEncoding.itemsPerBatch(bytes: batchText.count, items: batch.count)
            }
            if base != nil { statement.bind(1, Int64(bitPattern: batchBase)) }
            try batchText.withUnsafeBufferPointer { text in
                try statement.run(bindingTextInPlace: text, at: base == nil ? 1 : 2)
            }
            start = batch.endIndex
        }
    }

    private func insertMarks(_ marks: [MarkRecord]) throws {
        try insertRows(marks, head: "INSERT INTO mark_log(task_id, ts_ns, kind, detail) VALUES ", columns: 4) {
            mark, statement, first in
            statement.bind(first, mark.taskID.map { Int64(bitPattern: $0) })
            statement.bind(first + 1, Int64(bitPattern: mark.timestamp))
            statement.bind(first + 2, mark.kind)
            statement.bind(first + 3, mark.detail)
        }
    }
}

