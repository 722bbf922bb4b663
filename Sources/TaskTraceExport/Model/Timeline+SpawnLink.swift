public import TaskTraceModel

extension Timeline {
    /// Where to draw the spawn arrow from a task's parent to the task: a time inside one of the parent's
    /// segments and a time inside one of the child's, with `from <= to` whenever the two lives overlap.
    ///
    /// `from` is the child's creation time clamped into the parent's life `[first start, last end)`; `to` is
    /// `from` clamped into the child's life (normally the start of its first segment). Nil when the task has no
    /// parent in the timeline or either side has no segment.
    public func spawnLink(ofTask index: Int) -> (from: TraceNanos, to: TraceNanos)? {
        guard let parent = tasks[index].parentIndex else { return nil }
        let parentRows = tasks[parent].segments
        let childRows = tasks[index].segments
        guard let parentFirst = parentRows.first, let parentLast = parentRows.last,
            let childFirst = childRows.first, let childLast = childRows.last
        else { return nil }
        let parentStart = segments.starts[parentFirst]
        let parentEnd = segments.ends[parentLast]
        let childStart = segments.starts[childFirst]
        let childEnd = segments.ends[childLast]
        let created = tasks[index].createdAt ?? childStart
        let parentLatest = parentEnd > parentStart ? parentEnd - 1 : parentStart
        var from = min(max(created, parentStart), parentLatest)
        let childLatest = childEnd > childStart ? childEnd - 1 : childStart
        let to = min(max(from, childStart), childLatest)
        if from > to { from = max(parentStart, to) }
        return (from, to)
    }
}
