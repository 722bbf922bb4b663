/// A first-in, first-out list of jobs in an array with a moving head: the storage of the shared queue and of each
/// worker's own queue (`JobQueue`). Not thread-safe: its owner guards it with a lock.
struct JobFIFO<Item> {
    private var items: [Item] = []
    private var head = 0

    /// Jobs waiting.
    var count: Int { items.count - head }

    mutating func append(_ item: Item) { items.append(item) }

    /// Takes the oldest job, if any. The array is emptied when the head reaches its end, and compacted when the head
    /// has passed half of a long array, so a queue that never empties does not grow without bound.
    mutating func popFirst() -> Item? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
