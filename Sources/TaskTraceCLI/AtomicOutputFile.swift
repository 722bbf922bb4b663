#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an export's bytes go: standard output, or a temporary file beside the destination that is renamed
/// over it only when the export succeeded, so a failed export never leaves a half-written file. An existing
/// destination that is not a regular file (a device such as `/dev/stdout`, a FIFO) is written directly: it is
/// never replaced.
///
/// Not thread-safe: owned by one export on one thread.
final class AtomicOutputFile {
    /// Why the output could not be written; `description` is one line for users.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let destination: String?
    private let temporaryPath: String?
    private var descriptor: Int32
    private var isOpen = true

    /// Opens `path` for writing ("-" = standard output). Nothing at `path` changes until `commit()`.
    init(path: String) throws(Failure) {
        guard path != "-" else {
            destination = nil
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw Failure(description: "\(path): cannot write the export (it is a directory)")
            }
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw Failure(description: "\(path): cannot write the export (\(Self.errnoText()))")
            }
            destination = path
            temporaryPath = nil
            descriptor = fd
            return
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory).\(base).tasktrace-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(description: "\(path): cannot write the export (\(Self.errnoText()))")
        }
        destination = path
        temporaryPath = temporary
        descriptor = fd
        InterruptCleanup.arm(temporary)
    }

    deinit { abandon() }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "\(destination ?? "standard output"): cannot write the export (\(Self.errnoText()))")
            }
            remaining -= written
            base += written
        }
    }

    /// Closes the temporary file and renames it over the destination.
    func commit() throws(Failure) {
        guard isOpen else { return }
        isOpen = false
        guard let destination else { return }
        guard let temporaryPath else {
            if close(descriptor) != 0 {
                throw Failure(description: "\(destination): cannot write the export (\(Self.errnoText()))")
            }
            return
        }
        defer { InterruptCleanup.disarm() }
        if close(descriptor) != 0 {
            let text = Self.errnoText()
            unlink(temporaryPath)
            throw Failure(description: "\(destination): cannot write the export (\(text))")
        }
        if rename(temporaryPath, destination) != 0 {
            let text = Self.errnoText()
            unlink(temporaryPath)
            throw Failure(description: "\(destination): cannot write the export (\(text))")
        }
    }

    /// Discards the temporary file (after a failure); does nothing after `commit()`.
    func abandon() {
        guard isOpen else { return }
        isOpen = false
        if destination != nil { close(descriptor) }
        if let temporaryPath {
            unlink(temporaryPath)
            InterruptCleanup.disarm()
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
