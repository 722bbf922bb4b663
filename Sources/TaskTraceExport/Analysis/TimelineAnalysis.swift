import TaskTraceModel

/// Everything the analysis says about a timeline that a viewer draws: the lint findings and the critical path of
/// each root. One pure function over `Timeline`, so any exporter (the SVG and Chrome exports here, the
/// interactive HTML viewer) embeds the same answers.
///
/// ```swift
/// let analysis = TimelineAnalysis(timeline)            // default thresholds
/// for finding in analysis.findings { … }              // most severe first
/// let onPath = analysis.criticalPathTasks             // task indices on any root's critical path
/// ```
///
/// Thread-safe (a value type).
public struct TimelineAnalysis: Sendable, Hashable {
    public var findings: [Finding]
    public var criticalPaths: [CriticalPath]

    /// Analyses `timeline` (pure and deterministic).
    public init(_ timeline: Timeline, options: LintOptions = LintOptions()) {
        findings = timeline.findings(options: options)
        criticalPaths = timeline.criticalPaths()
    }

    /// Findings per severity, `error`, `warning`, `info` order.
    public var countsBySeverity: [(severity: FindingSeverity, count: Int)] {
        FindingSeverity.allCases.reversed().map { severity in (severity, findings.count { $0.severity == severity }) }
    }

    /// Indices of the tasks on any root's critical path.
    public var criticalPathTasks: Set<Int> { Set(criticalPaths.flatMap(\.chain)) }
}
