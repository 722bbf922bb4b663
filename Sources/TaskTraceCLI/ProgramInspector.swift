import Foundation

/// Decides, before running it, whether `tasktrace record --` can trace a program: it must be a dynamically linked
/// ELF executable that loads the Swift concurrency runtime as a shared library (`libswift_Concurrency.so`), because
/// the preloaded recorder reaches the runtime's hooks only there.
///
/// Reads the file's ELF program headers and dynamic section (64-bit, little-endian); never runs it.
/// Thread-safe (stateless).
enum ProgramInspector {
    /// What `record` needs to know about a program it can trace.
    struct Program {
        var path: String
        /// It has an async `main` (imports `swift_task_asyncMainDrainQueue`): its task 1 is that main task.
        var hasAsyncMain: Bool
    }

    /// The program, or one sentence saying why it cannot be traced.
    static func resolve(_ name: String) -> Result<Program, ProgramProblem> {
        guard let path = locate(name) else {
            return .failure(ProgramProblem("\(name): no such program (not a file, and not found on PATH)"))
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return .failure(ProgramProblem("\(name): is a directory, not a program"))
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(ProgramProblem("\(name): is not executable"))
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            return .failure(ProgramProblem("\(name): cannot be read"))
        }
        if let problem = problem(with: data, shownAs: name) { return .failure(problem) }
        let asyncMain = data.range(of: Data("swift_task_asyncMainDrainQueue".utf8)) != nil
        return .success(Program(path: path, hasAsyncMain: asyncMain))
    }

    /// Why `data` (a program's bytes) cannot be traced, or nil when it can.
    static func problem(with data: Data, shownAs name: String) -> ProgramProblem? {
        if data.starts(with: Array("#!".utf8)) {
            return ProgramProblem(
                "\(name): is a script; give tasktrace record the Swift executable it runs, not the script"
            )
        }
        guard let elf = ELFDynamicInfo(data) else {
            return ProgramProblem(
                "\(name): is not a Linux executable (ELF, 64-bit), so not a Swift program tasktrace can trace"
            )
        }
        if elf.needed.contains(where: { $0.hasPrefix("libswift_Concurrency.so") }) { return nil }
        if data.range(of: Data("swift_task_enqueueGlobal_hook".utf8)) != nil {
            return ProgramProblem(
                "\(name): has the Swift runtime linked in statically, where a preloaded recorder cannot reach its "
                    + "hooks; build it without -static-stdlib / --static-swift-stdlib to trace it"
            )
        }
        if elf.needed.contains(where: { $0.hasPrefix("libswiftCore.so") }) {
            return ProgramProblem(
                "\(name): is a Swift program that does not use Swift concurrency (it does not load "
                    + "libswift_Concurrency.so), so it has no tasks to trace"
            )
        }
        return ProgramProblem(
            "\(name): is not a Swift program (it does not load the Swift concurrency runtime), "
                + "so it has no tasks to trace"
        )
    }

    /// `name` itself when it contains a slash, else the first executable match on PATH.
    private static func locate(_ name: String) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains("/") { return FileManager.default.fileExists(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// One sentence for the user about a program that cannot be traced.
struct ProgramProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The shared libraries an ELF executable asks the dynamic loader for (`DT_NEEDED`).
struct ELFDynamicInfo {
    /// Names of the needed libraries; empty for a statically linked program.
    var needed: [String] = []

    /// Parses a 64-bit little-endian ELF image; nil when `data` is not one (or is truncated).
    init?(_ data: Data) {
        let bytes = [UInt8](data.prefix(64))
        guard bytes.count == 64, bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]), bytes[4] == 2, bytes[5] == 1 else {
            return nil
        }
        func read(_ offset: Int, _ size: Int) -> UInt64? {
            guard offset >= 0, size <= 8, offset + size <= data.count else { return nil }
            var value: UInt64 = 0
            for index in 0..<size {
                value |= UInt64(data[data.startIndex + offset + index]) << (8 * UInt64(index))
            }
            return value
        }
        guard let headerOffset = read(0x20, 8), let headerSize = read(0x36, 2), let headerCount = read(0x38, 2),
            headerOffset < UInt64(data.count), headerCount < 4096
        else { return nil }
        var loads: [(vaddr: UInt64, offset: UInt64, size: UInt64)] = []
        var dynamic: (offset: UInt64, size: UInt64)?
        for index in 0..<Int(headerCount) {
            let base = Int(headerOffset) + index * Int(headerSize)
            guard let type = read(base, 4), let offset = read(base + 8, 8), let vaddr = read(base + 16, 8),
                let fileSize = read(base + 32, 8)
            else { return nil }
            if type == 1 { loads.append((vaddr, offset, fileSize)) }
            if type == 2 { dynamic = (offset, fileSize) }
        }
        guard let dynamic else { return }  // statically linked: needs nothing
        var neededOffsets: [UInt64] = []
        var stringTable: UInt64?
        var entry = 0
        while UInt64(entry * 16) < dynamic.size, let tag = read(Int(dynamic.offset) + entry * 16, 8),
            let value = read(Int(dynamic.offset) + entry * 16 + 8, 8), tag != 0
        {
            if tag == 1 { neededOffsets.append(value) }
            if tag == 5 { stringTable = value }
            entry += 1
        }
        guard let stringTable,
            let segment = loads.first(where: { stringTable >= $0.vaddr && stringTable < $0.vaddr + $0.size })
        else { return }
        let tableOffset = stringTable - segment.vaddr + segment.offset
        for offset in neededOffsets {
            var position = Int(tableOffset + offset)
            var name: [UInt8] = []
            while position < data.count, name.count < 4096 {
                let byte = data[data.startIndex + position]
                if byte == 0 { break }
                name.append(byte)
                position += 1
            }
            needed.append(String(decoding: name, as: UTF8.self))
        }
    }
}
