import TaskTraceModel

/// The deriver's map from a task id to its track's slot: an array indexed by `id - base` for the dense run of ids a
/// recording sees, a dictionary for the rest.
///
/// Why not just a `Dictionary`: the deriver looks a task up for every event, and hashing (SipHash) plus probing was
/// about a tenth of the writer thread's time on yield- and spawn-heavy recordings (docs/performance.md). Swift
/// numbers tasks from one process-wide counter, so the tasks of one recording have ids close together: an array
/// lookup is a subtraction, a bounds check and a load. Ids far from the others (a task created long before the
/// recording, or the array would be mostly holes) go to the dictionary, so memory stays proportional to the tasks
/// seen: the window only grows while it stays at most `densityFactor` times the number of slots stored in it.
///
/// Not thread-safe (a value type owned by the writer thread's deriver).
struct TaskSlotMap {
    /// First id of the window; valid once `window` is not empty.
    private var base: TraceTaskID = 0
    /// `slot + 1` per id from `base`; 0 means absent.
    private var window: [Int32] = []
    private var storedInWindow = 0
    private var overflow: [TraceTaskID: Int] = [:]

    /// The window may hold up to this many entries per stored slot (plus `minimumWindow`) before ids go elsewhere.
    static let densityFactor = 4
    static let minimumWindow = 4096

    /// Number of ids mapped.
    var count: Int { storedInWindow + overflow.count }

    subscript(id: TraceTaskID) -> Int? {
        get {
            let offset = id &- base
            if offset < UInt64(window.count) {
                let stored = window[Int(offset)]
                if stored != 0 { return Int(stored) - 1 }
                // A hole in the window: the id may have been placed before the window reached it.
            }
            return overflow.isEmpty ? nil : overflow[id]
        }
        set {
            guard let slot = newValue else {
                remove(id)
                return
            }
            precondition(slot >= 0 && slot < Int(Int32.max), "slot out of range")
            if window.isEmpty, overflow.isEmpty {
                base = id
            }
            if let offset = windowOffset(for: id) {
                if window[offset] == 0 {
                    // Moving in from the dictionary (placed there before the window reached it) keeps `count`.
                    if !overflow.isEmpty { overflow.removeValue(forKey: id) }
                    storedInWindow += 1
                }
                window[offset] = Int32(slot + 1)
            } else {
                overflow[id] = slot
            }
        }
    }

    /// The window index for `id`, growing the window when that keeps it dense enough; nil: use the dictionary.
    private mutating func windowOffset(for id: TraceTaskID) -> Int? {
        guard id >= base else { return nil }
        let offset = id - base
        if offset < UInt64(window.count) { return Int(offset) }
        let limit = UInt64(Self.minimumWindow + Self.densityFactor * (count + 1))
        guard offset < limit else { return nil }
        // Grow geometrically (amortised O(1)), never past the density limit.
        let wanted = min(limit, max(offset + 1, UInt64(window.count) * 2))
        window.append(contentsOf: repeatElement(0, count: Int(wanted) - window.count))
        return Int(offset)
    }

    private mutating func remove(_ id: TraceTaskID) {
        let offset = id &- base
        if offset < UInt64(window.count), window[Int(offset)] != 0 {
            window[Int(offset)] = 0
            storedInWindow -= 1
        } else {
            overflow.removeValue(forKey: id)
        }
    }
}
