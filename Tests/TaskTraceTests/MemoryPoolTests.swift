import Testing
@testable import TaskTrace

/// Ring memory and drain arrays kept from one recording for the next (`RingMemoryPool`, `DrainArrayPool`).
@Suite("Memory kept between recordings")
struct MemoryPoolTests {
    /// A ring size no recording uses (recordings use powers of two), so tests running beside this one cannot take
    /// these rings.
    static let oddCount = 48

    @Test("rings given back are kept up to keptLimit per size, handed out once each, and writable")
    func ringsAreReused() {
        let count = RingMemoryPool.keptLimit + 3
        let first = (0..<count).map { _ in RingMemoryPool.take(count: Self.oddCount) }
        #expect(Set(first.map { UInt(bitPattern: $0) }).count == count, "rings in use are distinct")
        for ring in first {
            for index in 0..<Self.oddCount { (ring + index).initialize(to: RawEvent(kind: .enqueue, task: 7, thread: 1)) }
            RingMemoryPool.give(ring, count: Self.oddCount)
        }
        #expect(RingMemoryPool.keptCount(count: Self.oddCount) == RingMemoryPool.keptLimit)
        let second = (0..<count).map { _ in RingMemoryPool.take(count: Self.oddCount) }
        #expect(RingMemoryPool.keptCount(count: Self.oddCount) == 0, "kept rings are handed out first")
        let kept = Set(second.map { UInt(bitPattern: $0) })
        #expect(kept.count == count, "no ring handed out twice")
        for ring in second {
            // Writable whether kept or new (a kept ring's pages may have been taken back by the kernel).
            for index in 0..<Self.oddCount { (ring + index).initialize(to: RawEvent(kind: .jobStart, task: 9, thread: 1)) }
            #expect(ring[Self.oddCount - 1].task == 9)
            RingMemoryPool.give(ring, count: Self.oddCount)
        }
    }

    @Test("a kept drain array comes back empty")
    func drainArraysComeBackEmpty() {
        var array = DrainArrayPool.take()
        array.append(contentsOf: repeatElement(RawEvent(kind: .jobEnd, task: 3, thread: 1), count: 5_000))
        DrainArrayPool.give(consume array)
        for _ in 0..<DrainArrayPool.keptLimit + 1 {
            #expect(DrainArrayPool.take().isEmpty)
        }
    }
}
