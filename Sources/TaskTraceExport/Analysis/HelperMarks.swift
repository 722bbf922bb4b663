import TaskTraceModel

/// The marks the runtime's asyncio-style helpers write on the calling task (Sources/TaskTrace/Helpers), and how
/// to read the task ids out of their detail. Kept here, beside the only code that reads them.
///
/// - `gather`: `tasks 1,2,3` or `tasks 1,2,3 (results)`
/// - `wait`: `allCompleted of tasks 1,2,3`
/// - `timeout`: `task 5 within 0.1 seconds`
/// - `shield`: `task 5`
/// - `done_callbacks` (on the finished task): `1 callback(s) ran`
/// - `cancel_requested` (on the cancelled task): `by task 7: reason`, or `by a thread outside the runtime…`
enum HelperMarks {
    static let gather = "gather"
    static let wait = "wait"
    static let timeout = "timeout"
    static let shield = "shield"
    static let doneCallbacks = "done_callbacks"

    /// The helper kinds whose mark hands the named tasks' results to the calling task.
    static let resultHandOver: Set<String> = [gather, wait, timeout, shield]

    /// Task ids named after `task ` or `tasks ` in a helper mark's detail.
    static func taskIDs(in detail: String?) -> [TraceTaskID] {
        guard let detail else { return [] }
        let words = detail.split(separator: " ")
        guard let index = words.firstIndex(where: { $0 == "task" || $0 == "tasks" }), index + 1 < words.count else {
            return []
        }
        return words[index + 1].split(separator: ",").compactMap { TraceTaskID($0) }
    }

    /// The timeout text of a `timeout` mark (`0.1 seconds` of `task 5 within 0.1 seconds`).
    static func timeoutText(in detail: String?) -> String? {
        guard let detail, let range = detail.firstRange(of: " within ") else { return nil }
        return String(detail[range.upperBound...])
    }

    /// The requesting task and the reason of a `cancel_requested` mark (`by task 7: reason`).
    static func cancelRequest(_ detail: String?) -> (requester: TraceTaskID?, reason: String?) {
        guard let detail else { return (nil, nil) }
        var requester: TraceTaskID?
        var reason: String?
        if detail.hasPrefix("by task ") {
            let rest = detail.dropFirst("by task ".count)
            requester = TraceTaskID(rest.prefix { $0.isNumber })
        }
        if let colon = detail.firstRange(of: ": ") { reason = String(detail[colon.upperBound...]) }
        return (requester, reason)
    }
}
