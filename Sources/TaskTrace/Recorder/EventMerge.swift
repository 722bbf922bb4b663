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

    /// Appends the merge of `runs` (each `scratch[range]`, in order; together they cover `scratch`) to `output`.
    ///
    /// The output is grown by one bulk copy of `scratch` and then overwritten in merged order through a pointer:
    /// two workers' runs interleave every event or two, and an `append(contentsOf:)` per stretch cost more than
    /// the events it copied (the drain was ~40 % of the writer's CPU on the yield-heavy workload, perf).
    static func merge(_ scratch: [RawEvent], runs: [Range<Int>], into output: inout [RawEvent]) {
        var heads = runs.filter { !$0.isEmpty }
        if heads.count <= 1 {
            if let only = heads.first { output.append(contentsOf: scratch[only]) }
            return
        }
        let first = output.count
        let total = heads.reduce(0) { $0 + $1.count }
        precondition(total <= scratch.count, "runs overlap")
        // Room for `total` events: any bitwise contents, every slot is overwritten below.
        output.append(contentsOf: scratch[0..<total])
        var written = first
        scratch.withUnsafeBufferPointer { scratch in
            output.withUnsafeMutableBufferPointer { out in
                while heads.count > 1 {
                    var best = 0
                    var bestStamp = scratch[heads[0].lowerBound].timestamp
                    var tied = false
                    var bound = UInt64.max  // The smallest head stamp among the runs other than `best`.
                    for candidate in 1..<heads.count {
                        let stamp = scratch[heads[candidate].lowerBound].timestamp
                        if stamp < bestStamp {
                            bound = bestStamp
                            best = candidate
                            bestStamp = stamp
                            tied = false
                        } else {
                            if stamp == bestStamp { tied = true }
                            bound = min(bound, stamp)
                        }
                    }
                    if tied {
                        emitGroup(at: bestStamp, scratch, heads: &heads, into: out, at: &written)
                        heads.removeAll { $0.isEmpty }
                        continue
                    }
                    // Take the best run's events below the next smallest head at once (a run of one thread's events).
                    var index = heads[best].lowerBound
                    let upper = heads[best].upperBound
                    repeat {
                        out[written] = scratch[index]
                        written += 1
                        index += 1
                    } while index < upper && scratch[index].timestamp < bound
                    heads[best] = index..<upper
                    if index == upper { heads.remove(at: best) }
                }
                if let rest = heads.first {
                    for index in rest {
                        out[written] = scratch[index]
                        written += 1
                    }
                }
            }
        }
        precondition(written == first + total, "merge lost events")
    }

    /// Writes every event stamped `stamp` at the heads of `heads` (the runs tied at the smallest stamp) to
    /// `out[written...]`, in an order that keeps each run's order and puts a task's enqueue before its job's start
    /// or end (see the type).
    private static func emitGroup(
        at stamp: UInt64, _ scratch: UnsafeBufferPointer<RawEvent>, heads: inout [Range<Int>],
        into out: UnsafeMutableBufferPointer<RawEvent>, at written: inout Int
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
            out[written] = scratch[heads[run].lowerBound]
            written += 1
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
