import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A recording claims its path first (`TracePathClaim`: created, locked, an old trace removed) and writes the schema
/// later on its writer's thread (`TraceWriter(claim:)`), which also closes the replaced trace's file then.
///
/// Planted once each, and caught: a writer that never closed the replaced file ("the replaced trace's file"); a
/// writer that did not look whether the claimed file was still there (`cannotCreate` instead of `vanished` for the
/// removed folder — `WriteFailureTests` met it in a clean-clone run, the folder removed before the writer started).
@Suite("Path claim")
struct PathClaimTests {
    /// Descriptors of this process that name a deleted file at `path` (`/proc/self/fd` links read "… (deleted)").
    static func openDeletedFiles(at path: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == path + " (deleted)"
        }.count
    }

    @Test("a claim only claims: an empty file, the path refused to a second recording; the writer makes the trace")
    func claimThenWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("claimed.sqlite")
        let claim = try TracePathClaim(path: path)
        #expect(claim.path == path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 0, "the claim wrote \(size ?? -1) bytes")
        #expect {
            _ = try TracePathClaim(path: path)
        } throws: { error in
            guard case .inUse(path) = error as? TraceStoreError else { return false }
            return true
        }
        let writer = try TraceWriter(claim: claim)
        try writer.write(WriterSafetyTests.batch(task: 4, at: 1))
        try writer.finish()
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM tasks") == "4")
        #expect(TraceChecker.check(path: path).isValid)
    }

    @Test("the replaced trace's file stays open (its pages not yet freed) until the writer is made, then closes")
    func replacedFileClosedByTheWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("replaced.sqlite")
        do {
            let old = try TraceWriter(path: path)
            try old.write(WriterSafetyTests.batch(task: 1, at: 1))
            try old.finish()
        }
        #expect(Self.openDeletedFiles(at: path) == 0)
        let claim = try TracePathClaim(path: path)
        #expect(Self.openDeletedFiles(at: path) == 1, "the claim should keep the replaced file open")
        let writer = try TraceWriter(claim: claim)
        #expect(Self.openDeletedFiles(at: path) == 0, "the writer should have closed the replaced file")
        try writer.write(WriterSafetyTests.batch(task: 2, at: 1))
        try writer.finish()
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM tasks") == "2")
    }

    @Test("the claimed file deleted, or its folder removed, before the writer is made: vanished, nothing recreated")
    func vanishedBeforeTheWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("gone.sqlite")
        let claim = try TracePathClaim(path: path)
        #expect(unlink(path) == 0)
        #expect(throws: TraceStoreError.vanished(path: path)) { _ = try TraceWriter(claim: claim) }
        #expect(!FileManager.default.fileExists(atPath: path), "the writer created a file in the deleted one's place")

        let folder = directory.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let inFolder = folder + "/trace.sqlite"
        let folderClaim = try TracePathClaim(path: inFolder)
        try FileManager.default.removeItem(atPath: folder)
        #expect(throws: TraceStoreError.vanished(path: inFolder)) { _ = try TraceWriter(claim: folderClaim) }
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("a claim dropped without a writer closes the replaced file and frees the path")
    func droppedClaim() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("dropped.sqlite")
        do {
            let old = try TraceWriter(path: path)
            try old.finish()
        }
        do {
            let claim = try TracePathClaim(path: path)
            #expect(Self.openDeletedFiles(at: path) == 1)
            _ = claim
        }
        #expect(Self.openDeletedFiles(at: path) == 0)
        let writer = try TraceWriter(path: path)
        try writer.finish()
        #expect(TraceChecker.check(path: path).isValid)
    }
}
