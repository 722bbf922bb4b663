/// The tables of a trace that hold rows a user counts (docs/schema.md). Thread-safe (a value type).
public enum TraceTable: String, Sendable, CaseIterable {
    case tasks
    case threads
    case marks
    case transitions
    case untrackedJobs = "untracked_jobs"
}
