import TaskTraceModel

/// Aggregate statistics of the tasks that share a name: how many, and the spread of their lifetime, busy time and
/// queue latency.
///
/// Names that differ only in a trailing number (`fetch-1`, `fetch-17`) form one group, `fetch-#`, so a crawler's
/// 200 fetches read as one row; unnamed tasks are grouped by kind (`group child`, `async let`, `task`).
/// Thread-safe (a value type).
public struct NameStatistics: Sendable, Hashable {
    /// The group's name: the task name with a trailing number replaced by `#`.
    public var name: String
    public var count: Int
    public var lifetime: Percentiles
    public var busy: Percentiles
    public var queueLatency: Percentiles

    /// The group a task belongs to: its name with a trailing run of digits replaced by `#`, or its kind's label.
    public static func groupName(of task: TimelineTask) -> String {
        guard let name = task.name else {
            let label = task.displayName
            return String(label[..<(label.lastIndex(of: "#") ?? label.endIndex)]).trimmingSuffix(" ")
        }
        var scalars = Array(name.unicodeScalars)
        var digits = 0
        while let last = scalars.last, ("0"..."9").contains(last) {
            scalars.removeLast()
            digits += 1
        }
        guard digits > 0, !scalars.isEmpty else { return name }
        var result = String(String.UnicodeScalarView(scalars))
        result += "#"
        return result
    }
}

extension String {
    fileprivate func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}

extension Timeline {
    /// Statistics per name group (see `NameStatistics`), largest group first, then by name.
    /// - Parameter statistics: `taskStatistics()` of this timeline, when already computed.
    public func nameStatistics(_ statistics: [TaskStatistics]? = nil) -> [NameStatistics] {
        let perTask = statistics ?? taskStatistics()
        var groups: [String: [Int]] = [:]
        for task in perTask {
            groups[NameStatistics.groupName(of: tasks[task.taskIndex]), default: []].append(task.taskIndex)
        }
        let positionOf = Dictionary(uniqueKeysWithValues: perTask.enumerated().map { ($1.taskIndex, $0) })
        return groups.map { name, members in
            let rows = members.compactMap { positionOf[$0].map { perTask[$0] } }
            return NameStatistics(
                name: name, count: rows.count, lifetime: Percentiles(rows.map(\.lifetime)),
                busy: Percentiles(rows.map(\.running)), queueLatency: Percentiles(rows.map(\.scheduled))
            )
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
    }
}
