import Synchronization

/// A bounded FIFO for many producers and many consumers without a lock: the executor's run queue's fast path.
///
/// Each cell carries a sequence number that says whose turn it is: `position` when the cell is free for the
/// producer that claims `position`, `position + 1` once that producer has stored its element (free for the
/// consumer that claims `position`), `position + capacity` once the consumer has taken it (free for the next lap).
/// A producer claims a position with one compare-and-swap on the enqueue counter and a consumer with one on the
/// dequeue counter; the two counters live on cache lines of their own, so a producer and a consumer meet only in
/// the cell they hand over — the single mutex this replaces moved its cache line (and its waiters' futex) between
/// the cores on every push and every pop. Elements are taken in the order their positions were claimed.
///
/// A producer that claimed a position but has not stored its element yet (preempted in between) holds back the
/// consumers of that position and later ones until it stores: `tryPop` then returns nil while `hasClaims` is true.
/// The run queue handles that by polling or sleeping, as it would for a lock holder preempted inside the lock.
///
/// Thread-safe: every method may be called from any thread. `@unchecked Sendable`: the cells' elements are
/// protected by the sequence protocol above (a cell's element is touched only by the one thread whose claimed
/// position matches its sequence number), the counters are atomics.
final class JobRing<Element>: @unchecked Sendable {
    private struct Cell: ~Copyable {
        let sequence: Atomic<Int>
        var element: Element?
    }

    let capacity: Int
    private let mask: Int
    private let cells: UnsafeMutablePointer<Cell>
    /// The enqueue counter at index 0 and the dequeue counter at index `Self.counterGap` (128 bytes apart, so
    /// neither shares a cache line, or the adjacent line the prefetcher pairs with it, with the other).
    private let counters: UnsafeMutablePointer<Atomic<Int>>
    private static var counterGap: Int { 128 / MemoryLayout<Atomic<Int>>.stride }

    private var enqueuePosition: UnsafeMutablePointer<Atomic<Int>> { counters }
    private var dequeuePosition: UnsafeMutablePointer<Atomic<Int>> { counters + Self.counterGap }

    /// - Parameter capacity: rounded up to a power of two (at least 2).
    init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        cells = .allocate(capacity: size)
        for index in 0..<size { (cells + index).initialize(to: Cell(sequence: Atomic(index), element: nil)) }
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: 2 * Self.counterGap * MemoryLayout<Atomic<Int>>.stride, alignment: 128
        )
        counters = raw.bindMemory(to: Atomic<Int>.self, capacity: 2 * Self.counterGap)
        counters.initialize(to: Atomic(0))
        (counters + Self.counterGap).initialize(to: Atomic(0))
    }

    deinit {
        _ = cells.deinitialize(count: capacity)
        cells.deallocate()
        counters.deinitialize(count: 1)
        (counters + Self.counterGap).deinitialize(count: 1)
        UnsafeMutableRawPointer(counters).deallocate()
    }

    /// Appends `element`; returns false, leaving the ring unchanged, when it is full.
    ///
    /// The claim is a sequentially consistent read-modify-write: a consumer that registers as a sleeper and then
    /// reads the counters (`hasClaims`) either sees this claim or is seen by the producer's later look at the
    /// sleepers (see `JobQueue.push`).
    func tryPush(_ element: Element) -> Bool {
        var position = enqueuePosition.pointee.load(ordering: .relaxed)
        while true {
            let cell = cells + (position & mask)
            let difference = cell.pointee.sequence.load(ordering: .acquiring) &- position
            if difference == 0 {
                let (claimed, current) = enqueuePosition.pointee.weakCompareExchange(
                    expected: position, desired: position &+ 1, ordering: .sequentiallyConsistent
                )
                if claimed {
                    cell.pointee.element = element
                    cell.pointee.sequence.store(position &+ 1, ordering: .releasing)
                    return true
                }
                position = current
            } else if difference < 0 {
                return false  // the cell still holds the element of the previous lap: full
            } else {
                position = enqueuePosition.pointee.load(ordering: .relaxed)  // another producer took it
            }
        }
    }

    /// Takes the oldest element; nil when the ring is empty or its oldest claimed element is not stored yet.
    func tryPop() -> Element? {
        var position = dequeuePosition.pointee.load(ordering: .relaxed)
        while true {
            let cell = cells + (position & mask)
            let difference = cell.pointee.sequence.load(ordering: .acquiring) &- (position &+ 1)
            if difference == 0 {
                let (claimed, current) = dequeuePosition.pointee.weakCompareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed
                )
                if claimed {
                    let element = cell.pointee.element.take()
                    cell.pointee.sequence.store(position &+ mask &+ 1, ordering: .releasing)
                    return element
                }
                position = current
            } else if difference < 0 {
                return nil  // empty, or the producer of this position has not stored yet
            } else {
                position = dequeuePosition.pointee.load(ordering: .relaxed)  // another consumer took it
            }
        }
    }

    /// True when a producer has claimed a position no consumer has taken yet (sequentially consistent loads: the
    /// sleeper's side of the hand-shake in `JobQueue`). The element may not be stored yet.
    var hasClaims: Bool {
        let dequeued = dequeuePosition.pointee.load(ordering: .sequentiallyConsistent)
        return enqueuePosition.pointee.load(ordering: .sequentiallyConsistent) != dequeued
    }

    /// True when the oldest claimed element is stored, so `tryPop` would take it now (unless another consumer
    /// does first). For polling: it reads the consumers' counter and one cell, not the producers' counter, which a
    /// busy producer keeps changing.
    var hasStoredHead: Bool {
        let position = dequeuePosition.pointee.load(ordering: .relaxed)
        return cells[position & mask].sequence.load(ordering: .relaxed) == position &+ 1
    }
}
