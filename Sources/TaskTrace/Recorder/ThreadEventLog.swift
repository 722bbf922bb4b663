internal import CTaskTraceHooks
import Synchronization
import TaskTraceModel

/// One thread's share of the event buffer: a ring of raw events with a single producer (the thread that owns it)
/// and a single consumer (the buffer's drainer).
///
/// The producer writes a slot with plain stores and publishes it with a release store of `published`; the drainer
/// reads up to an acquire load of `published` and frees slots with a release store of `consumed`. Neither takes a
/// lock or does a read-modify-write on a line the other side writes often, so producers on different cores never
/// share a cache line (unlike one buffer behind one lock, whose line moved between cores at every append).
///
/// `appending` brackets each append (set before the clock is read, cleared after publishing): it is how the
/// drainer learns that a stamp may have been taken and not yet published (see `EventBuffer`, "Watermark"). It sits
/// on the producer's own line, so setting it is uncontended; it is a plain store when the drainer fences for both
/// sides (`AsymmetricFence.light`), else a sequentially consistent one.
///
/// Ownership: the owning thread calls `tryAppend` only; the drainer calls the `drainer…` members only; a log whose
/// thread exited is marked `vacant` and handed to the next thread that needs one, with its unread events (they
/// were published before the exit and stay in order ahead of the new owner's).
/// `@unchecked Sendable`: the atomics order every access; plain fields are owned by one side as documented.
final class ThreadEventLog: @unchecked Sendable {
    // The producer's line.
    /// Events ever published into this log; slot of the next one is `published & mask`. Written by the producer.
    let published = Atomic<Int>(0)
    /// 1 between the start of an append (before its clock read) and its publication. Written by the producer.
    let appending = Atomic<Int>(0)
    /// `consumed` as the producer last read it (producer only): saves reading the drainer's line per append.
    private var knownConsumed = 0
    private let producerPadding: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)

    // The drainer's line.
    /// Events the drainer has taken; slots below it may be overwritten. Written by the drainer.
    let consumed = Atomic<Int>(0)
    /// The producer asked the writer to drain early (half full); reset by the drainer when it takes events.
    let wakeSent = Atomic<Bool>(false)
    /// Raw stamp of the last event the drainer took from this log (drainer only).
    var lastTakenStamp: UInt64 = 0
    private let drainerPadding: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)

    // Rarely written.
    /// The owning thread exited; the next thread that needs a log may claim this one.
    let vacant = Atomic<Bool>(false)
    /// The buffer had its last drain and this log's memory is freed: a thread's slot may forget the log.
    let retired = Atomic<Bool>(false)
    /// Events this log's owners appended after the buffer's last drain.
    let late = Atomic<UInt64>(0)
    /// Events dropped because the log was full, with the task ids of as many as `EventBuffer.lostCapacity`. Taken
    /// only when an event is dropped and when the drainer collects the count: a plain mutex is enough.
    let losses = Mutex(Losses())

    struct Losses {
        var dropped: UInt64 = 0
        var lostTasks: [TraceTaskID] = []
    }

    let capacity: Int
    private let mask: Int
    private let storage: UnsafeMutablePointer<RawEvent>
    /// Set by the drainer when the buffer closes (the producers no longer touch `storage`); drainer only.
    private var storageFreed = false

    /// A log of `capacity` events rounded up to a power of two. The memory is reserved, not touched: the
    /// operating system backs its pages as the ring first fills them.
    init(capacity: Int) {
        let size = Self.roundedCapacity(capacity)
        self.capacity = size
        mask = size - 1
        storage = .allocate(capacity: size)
    }

    /// `capacity` rounded up to a power of two, at least 16.
    static func roundedCapacity(_ capacity: Int) -> Int {
        var size = 16
        while size < capacity { size <<= 1 }
        return size
    }

    deinit {
        if !storageFreed { storage.deallocate() }
    }

    /// What an append did.
    enum AppendOutcome {
        /// Published; `wake` asks the caller to wake the writer (the log just passed half full).
        case appended(wake: Bool)
        /// No room: the caller drops and counts it, or waits.
        case full
        /// The buffer had its last drain: counted in `late` already.
        case closed
    }

    /// Appends `event` stamped now. Owning thread only. Never blocks, never allocates.
    ///
    /// The order matters (see `EventBuffer`, "Watermark"): announce the append (so that the drainer either sees
    /// the announcement or reads its clock first: `AsymmetricFence`), check that the buffer is open, read the
    /// clock, store the event, publish it, then withdraw the announcement. `light`: announce with a plain store
    /// (the drainer calls `AsymmetricFence.heavy()`), else with a sequentially consistent one.
    @inline(__always)
    func tryAppend(
        _ event: RawEvent, clock: TraceClock, closed: borrowing Atomic<Bool>, light: Bool
    ) -> AppendOutcome {
        if light {
            appending.store(1, ordering: .relaxed)
            tasktrace_compiler_barrier()
        } else {
            appending.store(1, ordering: .sequentiallyConsistent)
        }
        if closed.load(ordering: .sequentiallyConsistent) {
            appending.store(0, ordering: .releasing)
            late.add(1, ordering: .relaxed)
            return .closed
        }
        let index = published.load(ordering: .relaxed)
        if index &- knownConsumed >= capacity {
            knownConsumed = consumed.load(ordering: .acquiring)
            if index &- knownConsumed >= capacity {
                appending.store(0, ordering: .releasing)
                return .full
            }
        }
        var stamped = event
        stamped.timestamp = clock.stamp()
        (storage + (index & mask)).initialize(to: stamped)
        published.store(index &+ 1, ordering: .releasing)
        appending.store(0, ordering: .releasing)
        let half = capacity >> 1
        if index &+ 1 &- knownConsumed >= half, !wakeSent.load(ordering: .relaxed) {
            knownConsumed = consumed.load(ordering: .acquiring)
            if index &+ 1 &- knownConsumed >= half, !wakeSent.exchange(true, ordering: .relaxed) {
                return .appended(wake: true)
            }
        }
        return .appended(wake: false)
    }

    /// Counts an event that found no room, remembering its task when there is room for that (`limit` ids).
    func countDrop(of event: RawEvent, limit: Int) {
        losses.withLock { losses in
            losses.dropped &+= 1
            guard event.task != 0, losses.lostTasks.count < limit else { return }
            if losses.lostTasks.capacity == 0 { losses.lostTasks.reserveCapacity(min(limit, 256)) }
            losses.lostTasks.append(event.task)
        }
    }

    // MARK: - Drainer

    /// The raw event at position `index` (between `consumed` and an acquire-loaded `published`). Drainer only.
    @inline(__always)
    func drainerEvent(at index: Int) -> RawEvent { storage[index & mask] }

    /// The first position in `begin..<end` whose event is stamped at or after `cutoff`, or `end` (a binary search:
    /// a log's stamps never decrease). Drainer only.
    func drainerFirstPosition(atOrAfter cutoff: UInt64, from begin: Int, to end: Int) -> Int {
        var low = begin
        var high = end
        while low < high {
            let middle = low + (high - low) / 2
            if storage[middle & mask].timestamp < cutoff { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Appends the events at positions `begin..<end` to `array`: at most two bulk copies (the ring may wrap), no
    /// per-event work, which matters in debug builds where a loop per event costs the writer dearly. Drainer only.
    func drainerCopy(from begin: Int, to end: Int, into array: inout [RawEvent]) {
        guard end > begin else { return }
        let start = begin & mask
        let first = min(end - begin, capacity - start)
        array.append(contentsOf: UnsafeBufferPointer(start: storage + start, count: first))
        if first < end - begin {
            array.append(contentsOf: UnsafeBufferPointer(start: storage, count: end - begin - first))
        }
    }

    /// Frees the slots below `index` for the producer, and lets it ask for an early drain again. Drainer only.
    func drainerRelease(upTo index: Int) {
        consumed.store(index, ordering: .releasing)
        wakeSent.store(false, ordering: .relaxed)
    }

    /// Releases the ring's memory once the buffer is closed and no producer is inside an append. Drainer only.
    func drainerFreeStorage() {
        guard !storageFreed else { return }
        storageFreed = true
        storage.deallocate()
        retired.store(true, ordering: .releasing)
    }

    /// Called by the owning thread's exit: the log may go to another thread.
    func vacate() { vacant.store(true, ordering: .releasing) }

    /// Claims a vacant log for the calling thread; false when it is in use.
    func claim() -> Bool {
        vacant.compareExchange(expected: true, desired: false, ordering: .acquiringAndReleasing).exchanged
    }
}
