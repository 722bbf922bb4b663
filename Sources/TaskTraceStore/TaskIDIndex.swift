import TaskTraceModel

/// A map from task id to an `Int`, cheap for ids that arrive in increasing order — as the recorder's records of
/// new tasks do (the Swift runtime numbers tasks as they are created) — with a hash table only for the few that
/// come out of order. `TraceWriter` tracks with it which tasks it has batched: hashing every id of a 100k-task
/// recording twice cost more than the row it saved.
///
/// Not thread-safe: a value owned by its writer.
struct TaskIDIndex {
    /// Ids in increasing order, with their values.
    private var ordered: [TraceTaskID] = []
    private var orderedValues: [Int] = []
    /// Ids that came after a larger one.
    private var others: [TraceTaskID: Int] = [:]

    subscript(id: TraceTaskID) -> Int? {
        if let last = ordered.last, id <= last, let position = position(of: id) { return orderedValues[position] }
        return others.isEmpty ? nil : others[id]
    }

    /// Adds `id` (not in the index yet) with `value`.
    mutating func insert(_ id: TraceTaskID, _ value: Int) {
        if let last = ordered.last, id <= last {
            others[id] = value
        } else {
            ordered.append(id)
            orderedValues.append(value)
        }
    }

    mutating func removeAll() {
        ordered.removeAll(keepingCapacity: true)
        orderedValues.removeAll(keepingCapacity: true)
        others.removeAll(keepingCapacity: true)
    }

    /// The position of `id` in `ordered`, by binary search.
    private func position(of id: TraceTaskID) -> Int? {
        var low = 0
        var high = ordered.count
        while low < high {
            let middle = low + (high - low) / 2
            if ordered[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ordered.count && ordered[low] == id ? low : nil
    }
}
