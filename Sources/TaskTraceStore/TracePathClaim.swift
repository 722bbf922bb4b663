/// A trace path claimed for a new recording: the file created and locked (`TraceFileLock`), an old trace there
/// removed, but no SQLite schema written yet — `TraceWriter(claim:)` writes it.
///
/// Why split: every error about the path (in use, a folder, not writable) is reported by `init` before the traced
/// program runs, while creating the schema and switching the file to WAL (~1 ms here, with its files to create) can
/// wait for the recorder's writer thread instead of delaying the program's start (docs/performance.md).
///
/// Not thread-safe: made on one thread, handed once to the thread that makes the writer (`@unchecked Sendable`
/// relies on that hand-over).
public final class TracePathClaim: @unchecked Sendable {
    let lock: TraceFileLock
    public let path: String

    /// Claims `path`, replacing any file (and its `-wal`/`-shm` companions) already there.
    /// - Throws: `TraceStoreError.inUse` when another recording writes `path`, `.isDirectory`, or `.cannotCreate`
    ///   when the path cannot be written.
    public init(path: String) throws(TraceStoreError) {
        self.path = path
        lock = try TraceFileLock(path: path)
    }
}
