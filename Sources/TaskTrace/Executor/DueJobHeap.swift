/// Jobs waiting for a due time (a `Task.sleep` on the tracing executor), earliest first; jobs due at the same
/// nanosecond leave in the order they came. A binary min-heap on (due, arrival). Not thread-safe: `JobQueue`
/// guards it with its lock.
struct DueJobHeap<Item> {
    private struct Entry {
        var due: UInt64
        var arrival: UInt64
        var item: Item

        func precedes(_ other: Entry) -> Bool { (due, arrival) < (other.due, other.arrival) }
    }

    private var entries: [Entry] = []
    private var arrivals: UInt64 = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The earliest due time, or nil when empty.
    var earliestDue: UInt64? { entries.first?.due }

    mutating func insert(_ item: Item, due: UInt64) {
        arrivals &+= 1
        entries.append(Entry(due: due, arrival: arrivals, item: item))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest job if it is due at `now` (or earlier).
    mutating func popDue(now: UInt64) -> Item? {
        guard let first = entries.first, first.due <= now else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first.item }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            let right = left + 1
            let child = right < entries.count && entries[right].precedes(entries[left]) ? right : left
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            parent = child
        }
        return first.item
    }

    /// Removes every job, in no particular order, with its due time.
    mutating func removeAll() -> [(due: UInt64, item: Item)] {
        defer { entries.removeAll() }
        return entries.map { ($0.due, $0.item) }
    }
}
