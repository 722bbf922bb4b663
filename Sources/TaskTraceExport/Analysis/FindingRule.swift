/// The lints tasktrace knows; the raw value is the stable id used in output and JSON.
/// Thread-safe (a value type).
public enum FindingRule: String, Sendable, Hashable, CaseIterable {
    case blockingJob = "blocking-job"
    case errorNeverRetrieved = "error-never-retrieved"
    case unfinishedAtEnd = "unfinished-at-end"
    case cancellationIgnored = "cancellation-ignored"
    case starvation = "starvation"
    case orphan = "orphan"
    case timeoutFired = "timeout-fired"
}
