// Store ingest: TraceWriter against a raw prepared-insert loop into the same table shape, side by side.
//
// Both sides write the same N transitions in transactions of 10k rows, in WAL mode with synchronous=NORMAL
// (the recorder's settings), into a fresh file each round. Rounds alternate A B A B so machine drift hits both;
// the report gives each side's median rows/s and the median of the per-round ratios.
import CSQLiteBench
import Foundation
import TaskTraceModel
import TaskTraceStore

let rowCount = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2_000_000
let rounds = 5
let batchSize = 10_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

let records: [TransitionRecord] = (0..<rowCount).map { index in
    let state = TaskState(rawValue: UInt8(index % 7)) ?? .created
    return TransitionRecord(
        taskID: TraceTaskID(index / 7 + 1), timestamp: TraceNanos(index * 13), state: state,
        threadID: state == .running ? TraceThreadID(index % 4 + 1) : 0
    )
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Side A: the product's writer, as the recorder's writer thread uses it. Returns the seconds `finish` took
/// (building the indexes), which happens once when a recording ends, not during ingest.
func ingestWithTraceWriter(_ path: String) throws -> (ingest: Double, finish: Double) {
    let writer = try TraceWriter(path: path)
    let batches = stride(from: 0, to: records.count, by: batchSize).map {
        TraceBatch(transitions: Array(records[$0..<min($0 + batchSize, records.count)]))
    }
    let ingest = try seconds {
        for batch in batches { try writer.write(batch) }
    }
    return (ingest, try seconds { try writer.finish() })
}

/// Side B: the floor — a bare prepared-insert loop with no wrapper, no index build.
func ingestRaw(_ path: String) {
    var db: OpaquePointer?
    sqlite3_open(path, &db)
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nil, nil, nil)
    sqlite3_exec(
        db, "CREATE TABLE transition_log(seq INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL,"
            + " state_code INTEGER NOT NULL, thread_id INTEGER)", nil, nil, nil)
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO transition_log(task_id, ts_ns, state_code, thread_id) VALUES (?,?,?,?)", -1, &statement, nil)
    var index = 0
    while index < records.count {
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        for record in records[index..<min(index + batchSize, records.count)] {
            sqlite3_bind_int64(statement, 1, Int64(record.taskID))
            sqlite3_bind_int64(statement, 2, Int64(record.timestamp))
            sqlite3_bind_int64(statement, 3, Int64(record.state.rawValue))
            if record.threadID == 0 { sqlite3_bind_null(statement, 4) } else { sqlite3_bind_int64(statement, 4, Int64(record.threadID)) }
            sqlite3_step(statement)
            sqlite3_reset(statement)
        }
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
        index += batchSize
    }
    sqlite3_finalize(statement)
    sqlite3_close(db)
}

var writerTimes: [Double] = []
var finishTimes: [Double] = []
var rawTimes: [Double] = []
for round in 0..<rounds {
    let a = directory.appendingPathComponent("a\(round).sqlite").path
    let b = directory.appendingPathComponent("b\(round).sqlite").path
    let (ingest, finish) = try ingestWithTraceWriter(a)
    writerTimes.append(ingest)
    finishTimes.append(finish)
    rawTimes.append(seconds { ingestRaw(b) })
    for path in [a, b] { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let ratios = zip(writerTimes, rawTimes).map { $0 / $1 }
print("store ingest, \(rowCount) transitions, \(rounds) alternating rounds, batches of \(batchSize)")
print(String(format: "  TraceWriter.write (ingest while recording): %.2f M rows/s (median)", Double(rowCount) / median(writerTimes) / 1e6))
print(String(format: "  TraceWriter.finish (index build, once):     %.3f s (median)", median(finishTimes)))
print(String(format: "  raw prepared insert loop, no index:        %.2f M rows/s (median)", Double(rowCount) / median(rawTimes) / 1e6))
print(String(format: "  time ratio TraceWriter / raw: %.2f (median of per-round ratios)", median(ratios)))
