extension Timeline {
    /// Places findings computed on the whole trace onto this (windowed or filtered) timeline: each is re-indexed
    /// to its task's row here by task id, and dropped when its task or its time is not shown.
    ///
    /// Lints need the whole trace: a filter can drop the task that awaited an error, which would turn into a
    /// false "error never retrieved". So exporters of a part of a trace analyse the whole and place the result.
    /// - Parameter findings: `whole.findings(…)` of the unfiltered timeline of the same trace.
    public func placing(_ findings: [Finding]) -> [Finding] {
        var indexByID: [UInt64: Int] = [:]
        for (index, task) in tasks.enumerated() { indexByID[task.id] = index }
        return findings.compactMap { finding in
            guard let index = indexByID[finding.taskID], finding.time >= start, finding.time <= end else { return nil }
            var placed = finding
            placed.taskIndex = index
            return placed
        }
    }
}
