import TaskTraceModel

/// `tasktrace lint` output: each finding as a short block a person reads top to bottom, and the same as JSON
/// (docs/analysis.md). Pure: the CLI only prints. Thread-safe (stateless).
public enum FindingsReport {
    /// One finding as lines:
    /// ```
    /// warning[blocking-job] blocking-on-loop #230 at 1.2s for 120ms (Scenarios/BlockingScenario.swift:24)
    ///   One job ran for 120ms on tasktrace-worker-1 …
    ///   fix: Move the blocking call to …
    /// ```
    public static func lines(_ finding: Finding) -> [String] {
        var head =
            "\(finding.severity.name)[\(finding.rule.rawValue)] \(finding.taskName) at \(TraceTimeText.format(finding.time))"
        if let duration = finding.duration { head += " for \(TraceTimeText.format(duration))" }
        if let site = finding.spawnSite { head += " (\(site))" }
        return [head, "  \(finding.message)", "  fix: \(finding.suggestion)"]
    }

    /// The whole report: overview, findings (at most `perRule` of each rule, the rest counted), and a count line.
    public static func text(_ findings: [Finding], timeline: Timeline, options: LintOptions, perRule: Int?) -> [String]
    {
        var result = TraceOverview(timeline).lines
        var shown: [FindingRule: Int] = [:]
        var hidden: [FindingRule: Int] = [:]
        for finding in findings {
            if let perRule, shown[finding.rule, default: 0] >= perRule {
                hidden[finding.rule, default: 0] += 1
                continue
            }
            shown[finding.rule, default: 0] += 1
            result.append("")
            result += lines(finding)
        }
        for rule in FindingRule.allCases {
            if let count = hidden[rule] {
                result += ["", "… and \(count) more \(rule.rawValue) findings (--all or --json lists them)"]
            }
        }
        result.append("")
        result.append(summary(findings))
        return result
    }

    /// `3 findings: 1 error, 2 warnings, 0 info` (or `no findings`).
    public static func summary(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "no findings" }
        let counts = FindingSeverity.allCases.reversed().map { severity in
            let count = findings.count { $0.severity == severity }
            return "\(count) \(severity.name)\(severity != .info && count != 1 ? "s" : "")"
        }
        return "\(findings.count) finding\(findings.count == 1 ? "" : "s"): " + counts.joined(separator: ", ")
    }

    /// The JSON document of `tasktrace lint --json` (format `tasktrace-lint`, version 1).
    public static func json(_ findings: [Finding], timeline: Timeline, options: LintOptions) -> JSONValue {
        .object([
            ("format", .string("tasktrace-lint")), ("version", .int(1)), ("trace", TraceOverview(timeline).json),
            (
                "thresholds_ns",
                .object([
                    ("blocking", .uint(options.blockingThreshold)), ("starvation", .uint(options.starvationThreshold)),
                    ("cancellation", .uint(options.cancellationThreshold)),
                ])
            ),
            (
                "counts",
                .object(
                    FindingSeverity.allCases.reversed().map { severity in
                        (severity.name, .int(findings.count { $0.severity == severity }))
                    })
            ),
            ("findings", .array(findings.map(findingJSON))),
        ])
    }

    public static func findingJSON(_ finding: Finding) -> JSONValue {
        .object([
            ("rule", .string(finding.rule.rawValue)), ("severity", .string(finding.severity.name)),
            ("task_id", .uint(finding.taskID)), ("task_name", .string(finding.taskName)),
            ("time_ns", .uint(finding.time)), ("duration_ns", .optional(finding.duration)),
            ("spawn_site", .optional(finding.spawnSite)), ("message", .string(finding.message)),
            ("suggestion", .string(finding.suggestion)),
            ("related_task_ids", .array(finding.relatedTaskIDs.map(JSONValue.uint))),
        ])
    }
}
