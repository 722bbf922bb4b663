import Foundation
import Synchronization
import TaskTraceModel
import TaskTraceStore
import Testing
@testable import TaskTrace

/// The trace cannot be written any more mid-recording (its folder removed): the traced program runs on to its
/// own end, the recording stops writing, and `record` reports one clear error when it returns.
@Suite("Write failures during a recording")
struct WriteFailureTests {
    @Test("the folder removed mid-recording: the body finishes its work, record throws .vanished once")
    func folderRemovedMidRecording() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-vanish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("trace.sqlite").path
        let finished = Mutex<Int?>(nil)
        let rounds = 20
        do {
            _ = try await TaskTrace.record(to: path, workers: 2) { runtime in
                var total = 0
                for round in 0..<rounds {
                    if round == 5 { try FileManager.default.removeItem(at: folder) }
                    let parts = (0..<50).map { index in runtime.spawn("part \(round).\(index)") { index } }
                    total += try await runtime.gather(parts).reduce(0, +)
                }
                let result = total
                finished.withLock { $0 = result }
                return result
            }
            Issue.record("record returned normally although its file was removed")
        } catch let error as TraceStoreError {
            #expect(error == .vanished(path: path))
            #expect(!error.description.contains("\n"))
        }
        // The program's own work ran to the end: 20 rounds of 0+1+…+49.
        #expect(finished.withLock { $0 } == rounds * (49 * 50 / 2))
        #expect(!FileManager.default.fileExists(atPath: folder.path), "nothing was recreated in the removed folder")
    }
}
