#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The calling thread's event logs, one per event buffer it has appended to (thread-local).
///
/// The last buffer used is cached, so the hot path costs one `pthread_getspecific` and one comparison. When the
/// thread exits, the key's destructor releases the slot and every log it holds is marked vacant, so its events
/// are still drained and the log is reused by the next thread that needs one (a blocking pool's or the program's
/// short-lived threads do not pile up logs). A thread may append to several recordings at once (tests run them
/// in parallel on the cooperative pool), hence the list.
///
/// Not thread-safe, and need not be: only its own thread touches it (the destructor runs on that thread too).
/// `@unchecked Sendable` for the pthread key's destructor only.
final class ThreadEventLogSlot: @unchecked Sendable {
    /// `EventBuffer.id` of the cached log (0: none).
    private(set) var cachedBuffer: UInt64 = 0
    /// Kept alive by `entries` (and by its buffer).
    private(set) var cachedLog: Unmanaged<ThreadEventLog>?
    private var entries: [(buffer: UInt64, log: ThreadEventLog)] = []

    deinit {
        for entry in entries { entry.log.vacate() }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<ThreadEventLogSlot>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// The calling thread's log for buffer `id`, if it has one (no retain or release: the hot path).
    @inline(__always)
    static func cachedLog(for id: UInt64) -> Unmanaged<ThreadEventLog>? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<ThreadEventLogSlot>.fromOpaque(pointer)._withUnsafeGuaranteedRef { slot in
            slot.cachedBuffer == id ? slot.cachedLog : nil
        }
    }

    /// The calling thread's slot, created on first use.
    static var current: ThreadEventLogSlot {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadEventLogSlot>.fromOpaque(pointer).takeUnretainedValue()
        }
        let slot = ThreadEventLogSlot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    /// The log for buffer `id`, from the list or else from `make` (which registers one with the buffer); cached.
    /// Entries of buffers that are `finished` are dropped on the way (their logs hold no memory any more).
    func log(for id: UInt64, finished: (ThreadEventLog) -> Bool, make: () -> ThreadEventLog) -> ThreadEventLog {
        if let found = entries.first(where: { $0.buffer == id }) {
            cache(id, found.log)
            return found.log
        }
        entries.removeAll { finished($0.log) }
        let log = make()
        entries.append((id, log))
        cache(id, log)
        return log
    }

    private func cache(_ id: UInt64, _ log: ThreadEventLog) {
        cachedBuffer = id
        cachedLog = Unmanaged.passUnretained(log)
    }
}
