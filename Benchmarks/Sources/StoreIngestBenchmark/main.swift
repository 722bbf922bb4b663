// Store ingest: what one job costs the store, three ways side by side.
//
//   A. `TraceWriter.write` — the product (format version 3): transitions packed into job rows, stored as JSON
//      batches of up to 512 (`job_batches`, read through the `job_log` view).
//   B. a bare C-level loop inserting the same job rows (11 integer columns, 32 rows per statement): SQLite's
//      floor for one row per job (format version 2's table), with the recorder's settings (WAL, synchronous=OFF,
//      16 KiB pages).
//   C. the same jobs as one binary BLOB per batch (80 bytes a job, no row per job): the floor of any SQLite storage
//      that keeps rows at all, and what a non-relational job log would cost.
//
// Every side writes the yield-heavy shape (each job: scheduled, running, suspended on alternating threads) in
// transactions of `batchSize` jobs, then finishes the file (checkpoint, journal mode DELETE), into a fresh file per
// round; rounds alternate A B C A B C so machine drift hits all three. CPU time of the process is reported besides
// wall time: on this shared machine it holds still where wall time does not.
// Run: swift run -c release --package-path Benchmarks StoreIngestBenchmark [JOBS]
import CSQLiteBench
import Foundation
import TaskTraceModel
import TaskTraceStore

let jobCount = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 500_000
let rounds = 5
let batchSize = 5_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

/// Job `index`: task `index % 1000 + 1`, 1 µs apart, enqueued on one worker and run on the other.
struct Job {
    var task: Int64
    var scheduled: Int64
    var running: Int64
    var end: Int64
    var fromThread: Int64
    var thread: Int64

    init(_ index: Int) {
        task = Int64(index % 1000 + 1)
        scheduled = Int64(index) * 1000 + 5_000_000
        running = scheduled + 300
        end = running + 400
        fromThread = Int64(index % 2 + 1)
        thread = Int64(2 - index % 2)
    }
}

let jobs = (0..<jobCount).map(Job.init)
let transitionBatches: [TraceBatch] = stride(from: 0, to: jobCount, by: batchSize).map { start in
    var batch = TraceBatch()
    for job in jobs[start..<min(start + batchSize, jobCount)] {
        let id = TraceTaskID(job.task)
        batch.transitions.append(
            TransitionRecord(taskID: id, timestamp: TraceNanos(job.scheduled), state: .scheduled,
                             threadID: TraceThreadID(job.fromThread)))
        batch.transitions.append(
            TransitionRecord(taskID: id, timestamp: TraceNanos(job.running), state: .running,
                             threadID: TraceThreadID(job.thread)))
        batch.transitions.append(
            TransitionRecord(taskID: id, timestamp: TraceNanos(job.end), state: .suspended,
                             threadID: TraceThreadID(job.thread)))
    }
    return batch
}

/// Wall and process-CPU seconds of `body`.
func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
    let wall = DispatchTime.now().uptimeNanoseconds
    let cpu = cpuNow()
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9, cpuNow() - cpu)
}

/// Side A: the product's writer, as the recorder's store uses it, finish included.
func ingestWithTraceWriter(_ path: String) throws {
    let writer = try TraceWriter(path: path)
    for batch in transitionBatches { try writer.write(batch) }
    try writer.finish()
}

/// A fresh file with the recorder's settings; `schema` creates the table.
func openRaw(_ path: String, schema: String) -> OpaquePointer? {
    var db: OpaquePointer?
    sqlite3_open(path, &db)
    sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA page_size=16384; PRAGMA journal_mode=WAL;", nil, nil, nil)
    sqlite3_exec(db, schema, nil, nil, nil)
    return db
}

/// Folds the WAL back and closes, as `TraceWriter.finish` does.
func finishRaw(_ db: OpaquePointer?) {
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", nil, nil, nil)
    sqlite3_close(db)
}

/// Side B: SQLite's floor for one `job_log` row per job.
func ingestRows(_ path: String) {
    let db = openRaw(
        path,
        schema: "CREATE TABLE job_log(seq INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, created_ns INTEGER,"
            + " scheduled_ns INTEGER, from_thread INTEGER, running_ns INTEGER, end_ns INTEGER, end_code INTEGER,"
            + " thread_id INTEGER, end_thread INTEGER, end_inferred INTEGER)")
    let rowsPerStatement = 32
    let values = Array(repeating: "(?,?,?,?,?,?,?,?,?,?,?)", count: rowsPerStatement).joined(separator: ",")
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO job_log VALUES " + values, -1, &statement, nil)
    var seq: Int64 = 1
    for start in stride(from: 0, to: jobCount, by: batchSize) {
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        let end = min(start + batchSize, jobCount)
        var index = start
        while index + rowsPerStatement <= end {
            var parameter: Int32 = 1
            for job in jobs[index..<(index + rowsPerStatement)] {
                sqlite3_bind_int64(statement, parameter, seq)
                sqlite3_bind_int64(statement, parameter + 1, job.task)
                sqlite3_bind_null(statement, parameter + 2)
                sqlite3_bind_int64(statement, parameter + 3, job.scheduled)
                sqlite3_bind_int64(statement, parameter + 4, job.fromThread)
                sqlite3_bind_int64(statement, parameter + 5, job.running)
                sqlite3_bind_int64(statement, parameter + 6, job.end)
                sqlite3_bind_int64(statement, parameter + 7, Int64(TaskState.suspended.rawValue))
                sqlite3_bind_int64(statement, parameter + 8, job.thread)
                sqlite3_bind_int64(statement, parameter + 9, job.thread)
                sqlite3_bind_int64(statement, parameter + 10, 0)
                parameter += 11
                seq += 1
            }
            sqlite3_step(statement)
            sqlite3_reset(statement)
            index += rowsPerStatement
        }
        sqlite3_exec(db, "COMMIT", nil, nil, nil)  // (a batch's last < 32 jobs are left out on both counts below)
    }
    sqlite3_finalize(statement)
    finishRaw(db)
}

/// Side C: one BLOB of 10 little-endian integers per job, per batch.
func ingestBlobs(_ path: String) {
    let db = openRaw(path, schema: "CREATE TABLE job_chunk(first_seq INTEGER PRIMARY KEY, jobs BLOB NOT NULL)")
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO job_chunk VALUES (?, ?)", -1, &statement, nil)
    var chunk: [Int64] = []
    chunk.reserveCapacity(batchSize * 10)
    for start in stride(from: 0, to: jobCount, by: batchSize) {
        chunk.removeAll(keepingCapacity: true)
        for job in jobs[start..<min(start + batchSize, jobCount)] {
            chunk += [job.task, 0, job.scheduled, job.fromThread, job.running, job.end,
                      Int64(TaskState.suspended.rawValue), job.thread, job.thread, 0]
        }
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        sqlite3_bind_int64(statement, 1, Int64(start))
        chunk.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(statement, 2, bytes.baseAddress, Int32(bytes.count), nil)
            sqlite3_step(statement)
        }
        sqlite3_reset(statement)
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
    }
    sqlite3_finalize(statement)
    finishRaw(db)
}

var times: [String: [(wall: Double, cpu: Double)]] = [:]
let sides: [(String, (String) throws -> Void)] = [
    ("A TraceWriter, job rows in JSON batches (version 3)", ingestWithTraceWriter),
    ("B bare SQLite loop, one row per job (version 2's floor)", { ingestRows($0) }),
    ("C bare SQLite, one BLOB per batch", { ingestBlobs($0) }),
]
for round in 0..<rounds {
    for (index, side) in sides.enumerated() {
        let path = directory.appendingPathComponent("s\(index)-\(round).sqlite").path
        times[side.0, default: []].append(try measure { try side.1(path) })
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
print("store ingest, \(jobCount) jobs (yield-shaped), batches of \(batchSize), \(rounds) alternating rounds, finish included")
for side in sides {
    let measured = times[side.0] ?? []
    print(
        String(
            format: "  %@: %.0f ns per job wall, %.0f ns per job CPU (medians)", side.0,
            median(measured.map(\.wall)) / Double(jobCount) * 1e9, median(measured.map(\.cpu)) / Double(jobCount) * 1e9))
}
print("  load average: " + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines))
