import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The writer under conditions a recording meets in the wild: a second recording on the same path, the file
/// deleted or its folder removed mid-recording, text with NULs, a folder at the output path.
@Suite("Writer safety")
struct WriterSafetyTests {
    static func batch(task: TraceTaskID, at time: TraceNanos) -> TraceBatch {
        TraceBatch(transitions: [TransitionRecord(taskID: task, timestamp: time, state: .created)], tasks: [TaskRecord(id: task)])
    }

    @Test("a second writer on a path being recorded is refused, and the first one's file is untouched")
    func secondWriterIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("same.sqlite")
        let first = try TraceWriter(path: path)
        try first.write(Self.batch(task: 1, at: 1))
        #expect {
            _ = try TraceWriter(path: path)
        } throws: { error in
            guard case .inUse(path) = error as? TraceStoreError else { return false }
            return (error as? TraceStoreError)?.description.contains("another recording is writing") == true
        }
        try first.write(Self.batch(task: 2, at: 2))
        try first.finish(meta: [MetaKey.endedUnixNs: "5"])
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM tasks") == "1,2")
    }

    @Test("once the first writer is gone, the path can be recorded again (the old trace replaced)")
    func pathIsFreeAfterTheWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("again.sqlite")
        do {
            let first = try TraceWriter(path: path)
            try first.write(Self.batch(task: 1, at: 1))
            try first.finish()
        }
        let second = try TraceWriter(path: path)
        try second.write(Self.batch(task: 7, at: 1))
        try second.finish()
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM tasks") == "7")
    }

    @Test("an unfinished trace's stale -wal beside a new trace's path is removed, not replayed into it")
    func staleCompanionsAreRemoved() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("stale.sqlite")
        try Data("junk".utf8).write(to: URL(fileURLWithPath: path + "-wal"))
        let writer = try TraceWriter(path: path)
        try writer.write(Self.batch(task: 3, at: 1))
        try writer.finish()
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM tasks") == "3")
    }

    @Test("the trace file deleted mid-recording: the next write fails with one clear error")
    func deletedFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("gone.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(Self.batch(task: 1, at: 1))
        #expect(unlink(path) == 0)
        #expect {
            try writer.write(Self.batch(task: 2, at: 2))
        } throws: { error in
            (error as? TraceStoreError) == .vanished(path: path)
                && "\(error)" == "\(path): the trace file was deleted or moved during the recording; the recording stopped writing"
        }
    }

    @Test("the trace's folder removed mid-recording: the next write fails with one clear error")
    func removedFolder() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("run")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/trace.sqlite"
        let writer = try TraceWriter(path: path)
        try writer.write(Self.batch(task: 1, at: 1))
        try FileManager.default.removeItem(atPath: folder)
        #expect(throws: TraceStoreError.vanished(path: path)) { try writer.finish(meta: [MetaKey.endedUnixNs: "1"]) }
    }

    @Test("a folder at the output path: 'is a directory', and the folder stays")
    func folderAtOutputPath() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: TraceStoreError.isDirectory(path: directory.url.path)) { _ = try TraceWriter(path: directory.url.path) }
        var info = stat()
        #expect(stat(directory.url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
    }

    @Test("text with NUL and control characters is stored and read back whole")
    func nulInText() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nul.sqlite")
        let name = "a\u{0}b\u{1}\n\"<x>\u{0}"
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(
                transitions: [TransitionRecord(taskID: 1, timestamp: 0, state: .created)],
                tasks: [TaskRecord(id: 1, name: name, error: "e\u{0}rr")],
                marks: [MarkRecord(taskID: 1, timestamp: 0, kind: "annotation", detail: "\u{0}")]
            )
        )
        try writer.finish()
        // The stored text, as the sqlite3 shell sees it (independent of the reader): JSON escapes for the control
        // characters, the quote and nothing else. (The `tasks` view's `->>` cuts a string at an escaped NUL in
        // SQLite 3.40; docs/schema.md says so. The reader decodes the batch itself.)
        let stored = try runSQLite(path, "SELECT tasks FROM task_batches")
        #expect(stored == #"[[1,null,null,"a\u0000b\u0001\u000a\"<x>\u0000",null,null,"e\u0000rr"]]"#, "\(stored)")
        #expect(try runSQLite(path, "SELECT name, error FROM tasks") == "a|e")
        let reader = try TraceReader(path: path)
        #expect(try reader.tasks().first?.name == name)
        #expect(try reader.tasks().first?.error == "e\u{0}rr")
        #expect(try reader.marks().first?.detail == "\u{0}")
    }
}
