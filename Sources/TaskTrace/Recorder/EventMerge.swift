/// Merges the runs drained from the threads' logs into one sequence in timestamp order, for the deriver.
///
/// Each run is one log's events in that log's order (which is its thread's time order). Events are taken by the
/// smallest raw stamp; equal stamps (two threads reading the same nanosecond, or a hand-driven test clock) are
/// broken first by kind — an API event before an enqueue, before a direct transition, before a job start, before
/// a job end — and then by run, so the merge never puts a cause after its effect across threads: a task's enqueue
/// (thread A) precedes its job's start (thread B) even at the same stamp, and a spawn's payload precedes its
/// first enqueue. Within a run the order is never changed (only the heads of the runs are compared), so a
/// thread's job end and its later re-enqueue of the same task keep their order whatever their kinds.
///
/// Cost: O(events × runs) comparisons (a linear scan of the heads, runs being the few threads with events).
/// Not thread-safe: the drainer's scratch state.
enum EventMerge {
    /// Tie-break rank of a kind at equal stamps (lower first).
    @inline(__always)
    static func rank(_ kind: RawEventKind) -> UInt8 {
        switch kind {
        case .payload: 0
        case .enqueue: 1
        case .direct: 2
        case .jobStart: 3
        case .jobEnd: 4
        }
    }

    /// Whether `a` (from run `runA`) goes before `b` (from run `runB`).
    @inline(__always)
    static func precedes(_ a: RawEvent, _ runA: Int, _ b: RawEvent, _ runB: Int) -> Bool {
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        let rankA = rank(a.kind)
        let rankB = rank(b.kind)
        if rankA != rankB { return rankA < rankB }
        return runA < runB
    }

    /// Appends the merge of `runs` (each `scratch[bounds]`, in order) to `output`.
    static func merge(_ scratch: [RawEvent], runs: [Range<Int>], into output: inout [RawEvent]) {
        var heads = runs.filter { !$0.isEmpty }
        if heads.count == 1 {
            output.append(contentsOf: scratch[heads[0]])
            return
        }
        var runIDs = Array(heads.indices)
        while !heads.isEmpty {
            var best = 0
            var bestEvent = scratch[heads[0].lowerBound]
            for candidate in 1..<heads.count {
                let event = scratch[heads[candidate].lowerBound]
                if precedes(event, runIDs[candidate], bestEvent, runIDs[best]) {
                    best = candidate
                    bestEvent = event
                }
            }
            output.append(bestEvent)
            let next = heads[best].lowerBound + 1
            if next == heads[best].upperBound {
                heads.remove(at: best)
                runIDs.remove(at: best)
            } else {
                heads[best] = next..<heads[best].upperBound
            }
        }
    }
}
