/// Merges the runs drained from the threads' logs into one sequence in timestamp order, for the deriver.
///
/// Each run is one log's events in that log's order (its thread's time order), which the merge never changes.
/// Events are taken by the smallest raw stamp. Equal stamps (two threads reading the same nanosecond, or a
/// hand-driven test clock) need care, because a cause must never follow its effect: a task's enqueue on thread A
/// and its job's start on thread B can carry one stamp, and A's enqueue may sit behind another event of A at that
/// stamp (A ended a job, then enqueued the task). So when several runs' heads share the smallest stamp, the merge
/// takes that stamp's events as a group and emits them one run head at a time: never a job start or end of a task
/// while another run still holds an enqueue of that task at this stamp, and otherwise the lowest kind first (an
/// API event, an enqueue, a direct transition, a job start, a job end), then the lowest run.
///
/// Cost: O(events × runs) comparisons at worst (a linear scan of the heads; runs are the few threads with
/// events), but a stretch of one run below every other head is copied at once, and the group step only runs at
/// ties. Not thread-safe: the drainer's scratch state.
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

    /// Appends the merge of `runs` (each `scratch[range]`, in order) to `output`.
    static func merge(_ scratch: [RawEvent], runs: [Range<Int>], into output: inout [RawEvent]) {
        var heads = runs.filter { !$0.isEmpty }
        if heads.count <= 1 {
            if let only = heads.first { output.append(contentsOf: scratch[only]) }
            return
        }
        output.reserveCapacity(output.count + scratch.count)
        scratch.withUnsafeBufferPointer { scratch in
            while heads.count > 1 {
                var best = 0
                var bestStamp = scratch[heads[0].lowerBound].timestamp
                var tied = false
                for candidate in 1..<heads.count {
                    let stamp = scratch[heads[candidate].lowerBound].timestamp
                    if stamp < bestStamp {
                        best = candidate
                        bestStamp = stamp
                        tied = false
                    } else if stamp == bestStamp {
                        tied = true
                    }
                }
                if tied {
                    emitGroup(at: bestStamp, scratch, heads: &heads, into: &output)
                    heads.removeAll { $0.isEmpty }
                    continue
                }
                // Take the best run's events up to the next smallest head at once (a run of one thread's events).
                var bound = UInt64.max
                for candidate in heads.indices where candidate != best {
                    bound = min(bound, scratch[heads[candidate].lowerBound].timestamp)
                }
                var end = heads[best].lowerBound + 1
                while end < heads[best].upperBound, scratch[end].timestamp < bound { end += 1 }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[heads[best].lowerBound..<end]))
                heads[best] = end..<heads[best].upperBound
                if heads[best].isEmpty { heads.remove(at: best) }
            }
            if let rest = heads.first {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[rest]))
            }
        }
    }

    /// Emits every event stamped `stamp` at the heads of `heads` (the runs tied at the smallest stamp), in an
    /// order that keeps each run's order and puts a task's enqueue before its job's start or end (see the type).
    private static func emitGroup(
        at stamp: UInt64, _ scratch: UnsafeBufferPointer<RawEvent>, heads: inout [Range<Int>],
        into output: inout [RawEvent]
    ) {
        // Each run's stretch of events at this stamp.
        let ends = heads.map { head in
            var end = head.lowerBound
            while end < head.upperBound, scratch[end].timestamp == stamp { end += 1 }
            return end
        }
        while true {
            var pick = -1
            var pickRank = UInt8.max
            var fallback = -1
            for run in heads.indices where heads[run].lowerBound < ends[run] {
                let event = scratch[heads[run].lowerBound]
                if fallback < 0 { fallback = run }
                let rank = rank(event.kind)
                if rank < pickRank, !waitsForEnqueue(event, run: run, scratch, heads: heads, ends: ends) {
                    pick = run
                    pickRank = rank
                }
            }
            if fallback < 0 { return }
            // Every head waits for another (impossible for real causality): fall back to run order.
            let run = pick >= 0 ? pick : fallback
            output.append(scratch[heads[run].lowerBound])
            heads[run] = heads[run].lowerBound + 1..<heads[run].upperBound
        }
    }

    /// Whether `event` is a job start or end of a task that another run still has to enqueue at this stamp.
    @inline(__always)
    private static func waitsForEnqueue(
        _ event: RawEvent, run: Int, _ scratch: UnsafeBufferPointer<RawEvent>, heads: [Range<Int>], ends: [Int]
    ) -> Bool {
        guard event.task != 0, event.kind == .jobStart || event.kind == .jobEnd else { return false }
        for other in heads.indices where other != run {
            for index in heads[other].lowerBound..<ends[other] {
                let candidate = scratch[index]
                if candidate.kind == .enqueue, candidate.task == event.task { return true }
            }
        }
        return false
    }
}
