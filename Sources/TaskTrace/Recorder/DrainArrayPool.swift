import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The drain's two event arrays (the buffer's scratch copy of the rings, the writer's merged events), kept from
/// one recording for the next, for the reason `RingMemoryPool` gives: each recording grew both afresh to the size
/// of its largest drain (up to tens of MiB), a page fault per 4 KiB. A kept array is empty and its pages are
/// marked `MADV_FREE` (the kernel may take them back under memory pressure; events are plain data, written before
/// they are read). Keeps at most `keptLimit` arrays of at most `keptCapacityLimit` events. Thread-safe (a mutex).
enum DrainArrayPool {
    private static let kept = Mutex<[[RawEvent]]>([])
    static let keptLimit = 2
    /// 2^21 events (80 MiB): four full rings' worth.
    static let keptCapacityLimit = 1 << 21

    /// An empty array, with the capacity of a kept one when there is one.
    static func take() -> [RawEvent] {
        kept.withLock { $0.popLast() } ?? []
    }

    /// Takes back an array its user is done with; pass its last reference (`consume`), or it is not kept.
    static func give(_ array: consuming [RawEvent]) {
        var spare = array
        guard spare.capacity > 0, spare.capacity <= keptCapacityLimit else { return }
        spare.removeAll(keepingCapacity: true)
        let capacity = spare.capacity
        spare.withUnsafeMutableBufferPointer { storage in
            guard let base = storage.baseAddress else { return }
            let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
            let start = (UInt(bitPattern: base) + page - 1) / page * page
            let end = (UInt(bitPattern: base) + UInt(capacity * MemoryLayout<RawEvent>.stride)) / page * page
            guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(pointer, Int(end - start), RingMemoryPool.adviceFree)
        }
        kept.withLock { arrays in
            if arrays.count < keptLimit { arrays.append(spare) }
        }
    }
}
