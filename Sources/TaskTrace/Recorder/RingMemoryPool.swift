import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ring memory kept from one recording for the next, so that a process that records more than once appends into
/// pages the operating system has already backed.
///
/// Why: a ring is tens of MiB reserved and backed page by page as it first fills; every recording used fresh
/// rings, so each took one page fault per 4 KiB of events — ~3 % of a worker's samples and, through the drain's
/// copies of fresh memory, the largest part of the writer's ~23 % in page faults on the yield-heavy workload
/// (perf, 2026-12-07). Kept rings are marked `MADV_FREE`: the kernel may take their pages back under memory
/// pressure (they are then backed afresh on reuse), and otherwise they are reused as they are. At most
/// `keptLimit` rings of each size are kept; the rest are unmapped.
///
/// Safety rests on the log's own rule: a ring is given back only once no producer can touch it (the buffer's
/// last drain, or the log's deinit), exactly where it used to be freed. Thread-safe (a mutex).
enum RingMemoryPool {
    /// Rings kept, by size in bytes; addresses as integers (a pointer is not `Sendable`).
    private static let kept = Mutex<[(bytes: Int, address: UInt)]>([])
    /// Enough for a recording's workers, blocking threads and a few others.
    static let keptLimit = 8

    /// A ring of `count` events: a kept one of that size, or a new mapping (reserved, backed as touched).
    static func take(count: Int) -> UnsafeMutablePointer<RawEvent> {
        let bytes = count * MemoryLayout<RawEvent>.stride
        let reused = kept.withLock { rings -> UInt? in
            guard let index = rings.lastIndex(where: { $0.bytes == bytes }) else { return nil }
            return rings.remove(at: index).address
        }
        if let reused, let pointer = UnsafeMutablePointer<RawEvent>(bitPattern: reused) { return pointer }
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapped != MAP_FAILED
        else {
            // No mapping to be had: the allocator's memory (never kept, see `give`).
            return .allocate(capacity: count)
        }
        return mapped.bindMemory(to: RawEvent.self, capacity: count)
    }

    /// Takes back a ring from `take(count:)` that no thread will touch again.
    static func give(_ ring: UnsafeMutablePointer<RawEvent>, count: Int) {
        let bytes = count * MemoryLayout<RawEvent>.stride
        let address = UInt(bitPattern: ring)
        // An allocator block (the fallback above) is not page-aligned: never a mapping of ours.
        guard address % UInt(sysconf(Int32(_SC_PAGESIZE))) == 0 else {
            ring.deallocate()
            return
        }
        _ = madvise(UnsafeMutableRawPointer(ring), bytes, Self.adviceFree)
        let keptIt = kept.withLock { rings -> Bool in
            guard rings.count(where: { $0.bytes == bytes }) < keptLimit else { return false }
            rings.append((bytes, address))
            return true
        }
        if !keptIt { munmap(UnsafeMutableRawPointer(ring), bytes) }
    }

    /// Rings of `count` events kept now (for tests).
    static func keptCount(count: Int) -> Int {
        let bytes = count * MemoryLayout<RawEvent>.stride
        return kept.withLock { rings in rings.count(where: { $0.bytes == bytes }) }
    }

    #if os(Linux)
    static let adviceFree = Int32(MADV_FREE)
    #else
    static let adviceFree = MADV_FREE
    #endif
}
