#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One recording's exclusive claim on a trace path: the trace file is created by this lock (`O_EXCL`) and held
/// with `flock(LOCK_EX)` until the writer is gone, so a second recording started on the same path at the same
/// time is refused (`TraceStoreError.inUse`) instead of unlinking the first one's file or interleaving rows.
///
/// An existing file is replaced only after its lock was won (nobody records into it). The lock is `flock`, which
/// is separate from SQLite's own POSIX locks; the descriptor must stay open until the SQLite connection is closed,
/// because closing any descriptor of a file drops the process's POSIX locks on it.
///
/// It also tells whether the path still names the file being written (`pathStillNamesFile`): a trace deleted or
/// moved mid-recording would otherwise swallow every later batch into an unlinked inode without an error.
///
/// Not thread-safe: owned by one `TraceWriter`.
final class TraceFileLock {
    private let descriptor: Int32
    private let device: UInt64
    private let inode: UInt64
    let path: String
    /// The replaced trace's descriptor, kept open past its unlink: the last close frees the old file's pages (~0.5 ms
    /// for a few MB here), which `closeReplacedFile` leaves to the writer's thread. -1: none.
    private var replacedDescriptor: Int32 = -1

    /// Companion files SQLite keeps beside a trace; stale ones from an old trace must go with it.
    static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// Creates `path` exclusively and locks it, replacing an old trace there once its lock is won.
    /// - Throws: `.inUse` when another recording holds the path, `.isDirectory`, or `.cannotCreate`.
    init(path: String) throws(TraceStoreError) {
        self.path = path
        for _ in 0..<16 {
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                if !Self.lockOrUnsupported(fd) {
                    // Another recording opened the file we just created and locked it first: it owns the path.
                    close(fd)
                    throw .inUse(path: path)
                }
                var info = stat()
                guard fstat(fd, &info) == 0 else {
                    close(fd)
                    throw .cannotCreate(path: path, detail: Self.errnoText())
                }
                descriptor = fd
                device = UInt64(info.st_dev)
                inode = UInt64(info.st_ino)
                // Leftovers of an older trace (a -wal SQLite would replay into the new file) go now.
                do { try Self.removeCompanions(of: path) } catch {
                    close(fd)
                    unlink(path)
                    throw error
                }
                return
            }
            guard errno == EEXIST else { throw .cannotCreate(path: path, detail: Self.errnoText()) }
            let replaced = try Self.replaceExisting(path)
            if replaced >= 0 {
                if replacedDescriptor >= 0 { close(replacedDescriptor) }
                replacedDescriptor = replaced
            }
        }
        throw .cannotCreate(path: path, detail: "the file at this path keeps changing")
    }

    deinit {
        close(descriptor)
        closeReplacedFile()
    }

    /// Closes the replaced trace's file, if any (see `replacedDescriptor`).
    func closeReplacedFile() {
        guard replacedDescriptor >= 0 else { return }
        close(replacedDescriptor)
        replacedDescriptor = -1
    }

    /// Writes `bytes` as the new file's contents (an empty trace's image, before SQLite opens it). False, with the
    /// file left empty, when the write fails (a full disk): the caller then lets SQLite create the file's contents
    /// and report the failure in its own words.
    func fill(with bytes: [UInt8]) -> Bool {
        let written = bytes.withUnsafeBytes { buffer -> Int in
            var offset = 0
            while offset < buffer.count {
                let count = pwrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset, off_t(offset))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                offset += count
            }
            return offset
        }
        if written == bytes.count { return true }
        _ = ftruncate(descriptor, 0)
        return false
    }

    /// True while `path` still names the file this lock created (not deleted, moved or replaced).
    var pathStillNamesFile: Bool {
        var info = stat()
        return stat(path, &info) == 0 && UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// Removes the existing file at `path` (and its companions) once no recording holds it. Returns the removed
    /// file's descriptor, still open, for the caller to close later (-1: none).
    private static func replaceExisting(_ path: String) throws(TraceStoreError) -> Int32 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return -1 }  // gone meanwhile: try creating again
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        // Replace an old trace, never a device, a FIFO or a link that happens to sit at the path.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotCreate(path: path, detail: "\(path) exists and is not a regular file")
        }
        let old = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        var keepOpen = false
        defer { if old >= 0, !keepOpen { close(old) } }
        if old >= 0 {
            if !lockOrUnsupported(old) { throw .inUse(path: path) }
            var held = stat()
            guard fstat(old, &held) == 0, held.st_dev == info.st_dev, held.st_ino == info.st_ino else { return -1 }
        }
        try removeCompanions(of: path)
        if unlink(path) != 0, errno != ENOENT {
            throw .cannotCreate(path: path, detail: "cannot replace the existing \(path) (\(errnoText()))")
        }
        keepOpen = old >= 0
        return keepOpen ? old : -1
    }

    /// Takes the exclusive lock: true when taken, or when the file system cannot lock at all (some network file
    /// systems), where recording unprotected beats refusing to record; false when another holds it.
    ///
    /// A held lock is retried for up to ~250 ms before giving up: a recording that just ended may still have its
    /// lock held for a moment by a child process the program was forking (a forked child shares the descriptor
    /// until it execs), while a recording in progress holds it for its whole duration.
    private static func lockOrUnsupported(_ descriptor: Int32) -> Bool {
        for attempt in 0..<25 {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK || errno == EAGAIN else { return true }
            if attempt < 24 { usleep(10_000) }
        }
        return false
    }

    private static func removeCompanions(of path: String) throws(TraceStoreError) {
        for suffix in companionSuffixes {
            let companion = path + suffix
            var info = stat()
            guard lstat(companion, &info) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .cannotCreate(path: path, detail: "\(companion) exists and is not a regular file")
            }
            if unlink(companion) != 0, errno != ENOENT {
                throw .cannotCreate(path: path, detail: "cannot replace the existing \(companion) (\(errnoText()))")
            }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
