import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// `TraceWriter.checkpoint()`: what the recorder calls between parts of a backlog so that `finish` has less WAL to
/// fold. The evidence is the main file alone, copied without its `-wal`: it holds the rows only once they were
/// folded into it.
@Suite("Writer checkpoint")
struct WriterCheckpointTests {
    /// Jobs in the main file alone (a copy of it without the WAL, as a reader would see it were the WAL lost).
    static func jobsInMainFile(_ path: String, copyTo copy: String) throws -> Int {
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        return Int(try runSQLite(copy, "SELECT count(*) FROM job_log")) ?? -1
    }

    static func finishedTasks(_ range: Range<Int>) -> TraceBatch {
        var transitions: [TransitionRecord] = []
        for index in range {
            let id = TraceTaskID(index + 1)
            let time = TraceNanos(1_000 + 10 * index)
            transitions += [
                TransitionRecord(taskID: id, timestamp: time, state: .created, threadID: 1),
                TransitionRecord(taskID: id, timestamp: time, state: .scheduled, threadID: 1),
                TransitionRecord(taskID: id, timestamp: time + 2, state: .running, threadID: 2),
                TransitionRecord(taskID: id, timestamp: time + 5, state: .done, threadID: 2),
            ]
        }
        return TraceBatch(transitions: transitions, tasks: range.map { TaskRecord(id: TraceTaskID($0 + 1)) })
    }

    @Test("a checkpoint folds every committed row into the main file; later rows stay in the WAL until the next")
    func checkpointFoldsCommittedRows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("trace.sqlite")
        let copy = directory.path("main-only.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(Self.finishedTasks(0..<3_000))
        #expect(try Self.jobsInMainFile(path, copyTo: copy) == 0)
        try writer.checkpoint()
        #expect(try Self.jobsInMainFile(path, copyTo: copy) == 3_000)
        try writer.write(Self.finishedTasks(3_000..<5_000))
        #expect(try Self.jobsInMainFile(path, copyTo: copy) == 3_000)
        try writer.checkpoint()
        #expect(try Self.jobsInMainFile(path, copyTo: copy) == 5_000)
        try writer.finish()
        #expect(try runSQLite(path, "SELECT count(*) FROM job_log") == "5000")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        try writer.checkpoint()  // After finish: nothing to do, no error.
    }

    @Test("a recording of a few MB folds its WAL as it goes: the main file holds most rows before the end")
    func walFoldedAsItGrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("trace.sqlite")
        let copy = directory.path("main-only.sqlite")
        let writer = try TraceWriter(path: path)
        // ~4 MB of rows in 40 commits, as a recording writes them every few ms; no explicit checkpoint.
        for part in 0..<40 { try writer.write(Self.finishedTasks(part * 1_000..<(part + 1) * 1_000)) }
        let folded = try Self.jobsInMainFile(path, copyTo: copy)
        let walBytes = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        try writer.finish()
        #expect(folded >= 30_000, "\(folded) of 40,000 jobs in the main file before finish")
        // The WAL starts over after each fold instead of growing to the whole recording.
        #expect(walBytes < 3_000_000, "WAL of \(walBytes) bytes")
    }
}
