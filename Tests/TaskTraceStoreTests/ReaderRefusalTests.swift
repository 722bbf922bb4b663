import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

@Suite("Reader refuses bad files, each with its own error, and never modifies them")
struct ReaderRefusalTests {
    /// Writes a small valid trace and returns its path.
    static func makeTrace(in directory: borrowing TemporaryDirectory, name: String = "good.sqlite", rows: Int = 2000) throws -> String {
        let path = directory.path(name)
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(
                transitions: (0..<rows).map { TransitionRecord(taskID: TraceTaskID($0), timestamp: TraceNanos($0), state: .created) },
                tasks: (0..<rows).map { TaskRecord(id: TraceTaskID($0), name: String(repeating: "n", count: 40)) }
            )
        )
        try writer.finish()
        return path
    }

    func expectRefusal(_ path: String, _ matches: (TraceStoreError) -> Bool) {
        let before = try? Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try TraceReader(path: path)
            Issue.record("expected \(path) to be refused")
        } catch {
            #expect(matches(error), "unexpected error: \(error)")
            #expect(!error.description.contains("\n"), "error must be one line")
        }
        let after = try? Data(contentsOf: URL(fileURLWithPath: path))
        #expect(before == after, "the reader must not modify the file")
    }

    @Test func missingFile() throws {
        let directory = try TemporaryDirectory()
        expectRefusal(directory.path("nope.sqlite")) {
            if case .fileNotFound = $0 { return true }
            return false
        }
    }

    @Test func directoryIsNotATrace() throws {
        let directory = try TemporaryDirectory()
        expectRefusal(directory.url.path) {
            if case .isDirectory = $0 { return $0.description == "\(directory.url.path): is a directory, not a trace file" }
            return false
        }
    }

    @Test func textFileIsNotSQLite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.sqlite")
        try Data("hello, I am not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        expectRefusal(path) {
            if case .notSQLite = $0 { return true }
            return false
        }
    }

    @Test func emptyFileIsNotSQLite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.sqlite")
        try Data().write(to: URL(fileURLWithPath: path))
        expectRefusal(path) {
            if case .notSQLite = $0 { return true }
            return false
        }
    }

    @Test func truncatedFileIsCorrupt() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeTrace(in: directory)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        expectRefusal(path) {
            if case .corrupt = $0 { return true }
            return false
        }
    }

    @Test func scribbledPagesAreCorrupt() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeTrace(in: directory)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Overwrite everything after the first page (the header stays valid) with a repeating pattern.
        for index in 4096..<data.count { data[index] = UInt8(truncatingIfNeeded: index &* 31) }
        try data.write(to: URL(fileURLWithPath: path))
        expectRefusal(path) {
            if case .corrupt = $0 { return true }
            return false
        }
    }

    @Test func sqliteWithoutOurTables() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        try SQLiteShell.run(path, "CREATE TABLE people(name TEXT);", readOnly: false)
        expectRefusal(path) {
            if case .notATrace(_, let missing) = $0 { return missing == "meta" }
            return false
        }
    }

    @Test func newerFormatVersion() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeTrace(in: directory)
        try SQLiteShell.run(path, "PRAGMA user_version=\(TraceFormat.version + 1);", readOnly: false)
        expectRefusal(path) {
            if case .newerFormat(_, let found, let supported) = $0 {
                return found == TraceFormat.version + 1 && supported == TraceFormat.version
            }
            return false
        }
    }

    @Test("reading a valid trace leaves its bytes unchanged")
    func readingDoesNotModify() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeTrace(in: directory)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try TraceReader(path: path)
        _ = try reader.meta()
        _ = try reader.tasks()
        var count = 0
        try reader.forEachTransition { _ in count += 1 }
        #expect(count == 2000)
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(before == after)
    }
}
