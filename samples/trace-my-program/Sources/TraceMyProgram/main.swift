import Foundation
import TaskTrace

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pretends to download a page: waits, then returns its size.
func download(_ page: Int) async throws -> Int {
    try await Task.sleep(for: .milliseconds(10 * page))
    return page * 1_000
}

let path = CommandLine.arguments.dropFirst().first ?? "my-program.sqlite"
do {
    let total = try await TaskTrace.record(to: path, workers: 2, name: "my program") { runtime in
        // Spawned tasks are recorded exactly: name, parent, spawn site, outcome.
        let downloads = (1...4).map { page in runtime.spawn("download \(page)") { try await download(page) } }
        // Blocking work goes to the blocking pool and shows up as a task of kind "blocking".
        let checksum = try await runtime.toThread("checksum") { () -> Int in
            usleep(5_000)
            return 42
        }
        // TaskGroup children are captured automatically (kind group_child).
        let sizes = try await runtime.gather(downloads)
        let doubled = await withTaskGroup(of: Int.self) { group in
            for size in sizes { group.addTask { size * 2 } }
            return await group.reduce(0, +)
        }
        // A timeout: the slow task is cancelled and the trace shows it.
        _ = try? await runtime.waitFor("too slow", timeout: .milliseconds(20)) { try await download(50) }
        return doubled + checksum
    }
    print("total \(total); trace written to \(path)")
} catch {
    // A trace that cannot be written (bad path, full disk) is one clear line, not a crash.
    FileHandle.standardError.write(Data("trace-my-program: \(error)\n".utf8))
    exit(1)
}
