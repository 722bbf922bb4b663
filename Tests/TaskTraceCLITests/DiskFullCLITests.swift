import Foundation
import TaskTraceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `record demo` when the trace cannot be written: a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored so the write
/// fails with EFBIG instead of killing the process) and a full file system (a small tmpfs, where mounting is
/// allowed). The program is not killed, the CLI prints one line and exits 1, and what was committed stays
/// readable: `check` accepts it (as a recording that did not finish).
@Suite("Full disk and I/O errors", .serialized)
struct DiskFullCLITests {
    final class Workspace {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-full-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Runs a long recording to `trace` under `bash -c` with `limits` applied first.
    static func recordUnder(_ limits: String, trace: String, in workspace: Workspace) async throws -> (ChildProcess, ChildProcess.Exit?) {
        let command = "\(limits) exec \"$0\" record demo --scenario load --tasks 150000 --no-html --output \"$1\""
        let child = try ChildProcess(
            "/bin/bash", ["-c", command, CLIRunner.binaryURL.path, trace], outputIn: workspace.url.path
        )
        return await (child, child.wait(deadline: 300))
    }

    /// - Parameter reasons: the OS reason must be one of these (a write crossing the size limit is first a short
    ///   write, which SQLite reports as "database or disk is full", then EFBIG, "File too large").
    static func expectOneLineFailure(_ child: ChildProcess, _ exit: ChildProcess.Exit?, trace: String, reasons: [String]) async throws {
        let exit = try #require(exit, "the recording hung")
        #expect(exit.status == 1, "\(exit): \(child.stderr)")
        let lines = child.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(child.stderr)")
        #expect(child.stderr.hasPrefix("tasktrace: \(trace): cannot write the trace file any more ("), "\(child.stderr)")
        #expect(reasons.contains { child.stderr.contains($0) }, "\(child.stderr)")
        // What was committed before the failure stays readable and legal.
        let check = try await CLIRunner.run(["check", trace])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("did not finish"), "\(check.stdout)")
        let tasks = LiveTrace.int(trace, "SELECT count(*) FROM tasks") ?? -1
        #expect(tasks > 0, "the batches committed before the failure are there")
    }

    @Test("a file size limit: one line with the reason, exit 1, the committed part readable")
    func fileSizeLimit() async throws {
        let workspace = try Workspace()
        let trace = workspace.path("limited.sqlite")
        // bash's ulimit -f counts 1024-byte blocks: 8 MiB holds the first batches, not the whole run.
        let (child, exit) = try await Self.recordUnder("trap '' XFSZ; ulimit -f 8192;", trace: trace, in: workspace)
        try await Self.expectOneLineFailure(child, exit, trace: trace, reasons: ["File too large", "disk is full"])
    }

    @Test("a full file system (an 8 MiB tmpfs): one line with the reason, exit 1, the committed part readable")
    func fullFileSystem() async throws {
        let workspace = try Workspace()
        let disk = workspace.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        guard (try? Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk])) == 0 else {
            print("full disk: mounting a tmpfs is not allowed here; covered by the file size limit test")
            return
        }
        defer { _ = try? Self.run("/bin/umount", [disk]) }
        let trace = disk + "/full.sqlite"
        let (child, exit) = try await Self.recordUnder("", trace: trace, in: workspace)
        try await Self.expectOneLineFailure(child, exit, trace: trace, reasons: ["No space left on device", "disk is full"])
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
