import TaskTraceModel

/// Finds who asked for a cancellation in a `cancel_requested` mark's detail, so the viewer can draw an arrow
/// from the requester to the target. The runtime writes `by task N` or `by task N: reason`
/// (`SpawnedTask.cancel(reason:)`); other details (a group cancelled, a user's text) name no task.
///
/// Thread-safe (stateless).
enum CancelRequester {
    /// The requesting task's id, or nil when the detail does not start with `by task N`.
    static func taskID(inDetail detail: String?) -> TraceTaskID? {
        guard let detail, detail.hasPrefix("by task ") else { return nil }
        let digits = detail.dropFirst("by task ".count).prefix { $0.isASCII && $0.isNumber }
        return TraceTaskID(digits)
    }
}
