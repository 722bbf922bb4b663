import Foundation
import TaskTraceDemo
import Testing

/// Byte-mutated and truncated traces, fed to the built binary in a subprocess with a deadline: each run ends with
/// one clear line and exit 1, or a valid result (exit 0, an export that parses) — never a crash (a signal), never
/// a hang, never a change to the input. Seeded and reproducible: `TASKTRACE_FUZZ_CASES` cases (default 300) from
/// `TASKTRACE_FUZZ_SEED` (default 1), mutating the committed real recording `samples/demo.sqlite`.
@Suite("Fuzz: mutated and truncated trace files", .serialized)
struct MutatedTraceCLITests {
    static var cases: Int { ProcessInfo.processInfo.environment["TASKTRACE_FUZZ_CASES"].flatMap(Int.init) ?? 300 }
    static var firstSeed: UInt64 { ProcessInfo.processInfo.environment["TASKTRACE_FUZZ_SEED"].flatMap(UInt64.init) ?? 1 }


    /// One of four damages: flipped bytes, a truncation, a page overwritten with noise, a page zeroed.
    static func mutate(_ original: [UInt8], seed: UInt64) -> (bytes: [UInt8], what: String) {
        var random = SplitMix64(seed: seed)  // the same seed gives the same mutation everywhere
        var bytes = original
        let page = 4096
        switch seed % 4 {
        case 0:
            let flips = Int.random(in: 1...24, using: &random)
            for _ in 0..<flips { bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random) }
            return (bytes, "\(flips) bytes flipped")
        case 1:
            let length = Int.random(in: 0..<bytes.count, using: &random)
            return (Array(bytes.prefix(length)), "truncated to \(length) bytes")
        case 2:
            let start = Int.random(in: 0..<(bytes.count / page), using: &random) * page + Int.random(in: 0..<page, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...512, using: &random))
            for index in start..<end { bytes[index] = UInt8.random(in: 0...255, using: &random) }
            return (bytes, "noise at \(start)..<\(end)")
        default:
            let start = Int.random(in: 0..<(bytes.count / page), using: &random) * page
            for index in start..<min(bytes.count, start + page) { bytes[index] = 0 }
            return (bytes, "page at \(start) zeroed")
        }
    }

    static func expectOneLineOrValid(
        _ child: ChildProcess, _ exit: ChildProcess.Exit?, case label: String, valid: () -> Bool
    ) {
        guard let exit else {
            Issue.record("\(label): hung")
            return
        }
        #expect(exit.signal == nil, "\(label): crashed with signal \(exit.signal ?? 0): \(child.stderr)")
        #expect(exit.status == 0 || exit.status == 1, "\(label): \(exit)")
        if exit.status == 0 {
            #expect(valid(), "\(label): exit 0 but the result is not valid")
        } else if !child.stderr.isEmpty {
            #expect(child.stderr.hasPrefix("tasktrace: "), "\(label): \(child.stderr)")
            #expect(child.stderr.split(separator: "\n").count == 1, "\(label): \(child.stderr)")
        }
    }

    @Test("mutated traces: one clear line or a valid result, from check and export")
    func mutatedTraces() async throws {
        let original = [UInt8](try Data(contentsOf: ExportCLITests.samples.appendingPathComponent("demo.sqlite")))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tasktrace-mutate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = CLIRunner.binaryURL.path
        var outcomes: [String: Int] = [:]
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.cases)) {
            let (bytes, what) = Self.mutate(original, seed: seed)
            let label = "seed \(seed) (\(what))"
            let trace = folder.appendingPathComponent("m\(seed).sqlite").path
            try Data(bytes).write(to: URL(fileURLWithPath: trace))

            let check = try ChildProcess(binary, ["check", trace, "--json"], outputIn: folder.path)
            let checkExit = await check.wait(deadline: 60)
            // check --json always prints its report, valid or not.
            Self.expectOneLineOrValid(check, checkExit, case: "check \(label)") { true }
            #expect((try? JSONSerialization.jsonObject(with: Data(check.stdout.utf8))) != nil, "check \(label): \(check.stdout.prefix(200))")

            let format = ["chrome", "svg", "chrome", "html"][Int(seed % 4)]
            let output = folder.appendingPathComponent("out\(seed).\(format == "chrome" ? "json" : format)").path
            let export = try ChildProcess(binary, ["export", trace, "-f", format, "-o", output], outputIn: folder.path)
            let exportExit = await export.wait(deadline: 60)
            Self.expectOneLineOrValid(export, exportExit, case: "export \(label)") {
                guard let data = FileManager.default.contents(atPath: output) else { return false }
                if format == "chrome" { return (try? JSONSerialization.jsonObject(with: data)) != nil }
                return data.count > 100
            }
            if exportExit?.status == 1 {
                #expect(!FileManager.default.fileExists(atPath: output), "export \(label): a failed export left a file")
            }
            outcomes["\(checkExit?.status ?? -1)/\(exportExit?.status ?? -1)", default: 0] += 1
            // What check accepts, export can read.
            #expect(!(checkExit?.status == 0 && exportExit?.status == 1), "\(label): check accepts, export says \(export.stderr)")
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: trace))) == bytes, "\(label): the input was modified")
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            }
        }
        print("mutated traces: check/export exit statuses \(outcomes.sorted { $0.key < $1.key })")
    }
}
