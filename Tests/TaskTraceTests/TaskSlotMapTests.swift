import TaskTraceDemo
import TaskTraceModel
import Testing

@testable import TaskTrace

/// The deriver's id → slot map against a plain `Dictionary` fed the same operations: dense runs of ids (as a
/// recording sees them), ids far away or below the first one (the dictionary side), ids placed in the dictionary
/// before the window grew over them, and overwrites. Planted once and caught: a window that forgot the dictionary
/// for ids it grew over (lookups of such ids returned nil), and a count not kept when an id moved into the window.
@Suite struct TaskSlotMapTests {
    @Test(arguments: 0..<12)
    func matchesADictionary(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 5)
        var map = TaskSlotMap()
        var reference: [TraceTaskID: Int] = [:]
        let start = TraceTaskID.random(in: 1...1_000_000, using: &random)
        var nextDense = start
        var nextSlot = 0
        for _ in 0..<20_000 {
            let id: TraceTaskID
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<80:
                // The next task of the recording, sometimes skipping ids other tasks of the process took.
                nextDense += TraceTaskID.random(in: 1...3, using: &random)
                id = nextDense
            case 80..<85:
                id = start &- TraceTaskID.random(in: 1...500, using: &random)
            case 85..<90:
                // Ahead of the dense run, out of the window's reach now, inside it later.
                id = nextDense + TraceTaskID.random(in: 5_000...60_000, using: &random)
            case 90..<93:
                id = TraceTaskID.random(in: 1 << 40...1 << 41, using: &random)
            default:
                id = reference.keys.randomElement(using: &random) ?? start
            }
            let slot = reference[id] ?? nextSlot
            if reference[id] == nil { nextSlot += 1 }
            reference[id] = slot
            map[id] = slot
            #expect(map[id] == slot)
        }
        #expect(map.count == reference.count)
        for (id, slot) in reference { #expect(map[id] == slot, "id \(id)") }
        for probe in 0..<2_000 {
            let id = start &+ TraceTaskID(probe) &* 7919
            #expect(map[id] == reference[id], "absent or present alike: \(id)")
        }
    }

    @Test func staysSmallForSparseIds() {
        var map = TaskSlotMap()
        // Ids a million apart: every one but the first goes to the dictionary, the window stays tiny.
        for index in 0..<1_000 { map[TraceTaskID(index) * 1_000_000 + 1] = index }
        #expect(map.count == 1_000)
        for index in 0..<1_000 { #expect(map[TraceTaskID(index) * 1_000_000 + 1] == index) }
        #expect(map[2] == nil)
    }
}
