/// Versions and well-known keys of the trace file format (docs/schema.md).
public enum TraceFormat {
    /// The schema version written to `PRAGMA user_version` and `meta.format_version`.
    /// A reader refuses files with a larger number. Version 4 stores tasks' first records in JSON batches
    /// (`task_batches`, unpacked by the view `tasks`) as version 3 began to store job rows (`job_batches`, unpacked
    /// by the view `job_log`); versions 3, 2 (a table row per job) and 1 (a row per transition) are still read.
    public static let version: Int = 4
    /// The version of the tasktrace tool and library.
    public static let toolVersion: String = "0.1.0"
    /// The largest timestamp a valid trace holds: 2^62 ns is 146 years, far beyond any recording, and leaves
    /// headroom so arithmetic on timestamps cannot overflow. Readers treat larger (or negative) ones as damage.
    public static let maxTimestamp: TraceNanos = 1 << 62
}

/// Keys of the `meta` table that tasktrace writes. Other keys may exist; readers keep them.
public enum MetaKey {
    public static let formatVersion = "format_version"
    public static let tasktraceVersion = "tasktrace_version"
    public static let startedUnixNs = "started_unix_ns"
    /// Absent while recording or after a crash.
    public static let endedUnixNs = "ended_unix_ns"
    /// Which clock `ts_ns` comes from, e.g. `CLOCK_MONOTONIC`.
    public static let clock = "clock"
    public static let host = "host"
    public static let pid = "pid"
    public static let command = "command"
    public static let workers = "workers"
    /// Events the recorder dropped because its buffer was full; `0` when none.
    public static let droppedEvents = "dropped_events"
    /// Duration of the trace in ns since start, written when the recording ends.
    public static let durationNs = "duration_ns"
    /// Integrity counters (see `TraceIntegrity`); `0` or absent when none.
    public static let skippedEvents = "skipped_events"
    public static let reorderedEvents = "reordered_events"
    public static let reconstructedTransitions = "reconstructed_transitions"
    public static let lateEvents = "late_events"
    /// CPU time the recorder's writer thread used (deriving and writing rows), in ns, up to the end of the recording.
    public static let writerCPUNs = "writer_cpu_ns"
}

