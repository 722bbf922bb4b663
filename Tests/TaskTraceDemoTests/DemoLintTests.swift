import TaskTrace
import TaskTraceDemo
import TaskTraceExport
import TaskTraceModel
import Testing

extension DemoRecording.Recording {
    /// The recording as the exporters and lints see it: the sink's rows through `TimelineBuilder`, transitions in
    /// time order (ties in recorded order), as `TraceReader.forEachTransition` delivers them from SQLite.
    var timeline: Timeline {
        var builder = TimelineBuilder(
            tasks: sink.tasks, threads: sink.threads, marks: sink.marks, untrackedJobs: sink.untrackedJobs,
            meta: sink.meta
        )
        let ordered = sink.transitions.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }
        for (_, transition) in ordered { builder.add(transition) }
        return builder.finish()
    }
}

extension DemoRecordingSuites {
    /// Each lint is found in the real recording of the scenario that plants it, and not in clean scenarios.
    @Suite("demo scenarios: lints")
    struct DemoLintTests {
        /// Findings as (rule, task name) pairs.
        static func findings(_ names: [String], options: LintOptions = LintOptions()) async throws -> [Finding] {
            let recording = try await DemoRecording.record(names)
            #expect(recording.outcomes.allSatisfy { $0.failure == nil }, "\(recording.outcomes)")
            return recording.timeline.findings(options: options)
        }

        static func names(_ findings: [Finding], _ rule: FindingRule) -> Set<String> {
            Set(findings.filter { $0.rule == rule }.map(\.taskName).map { String($0.prefix { $0 != " " }) })
        }

        @Test func blockingFindsTheJobThatBlockedTheLoop() async throws {
            let findings = try await Self.findings(["blocking"])
            #expect(Self.names(findings, .blockingJob) == ["blocking-on-loop"], "\(findings.map(\.message))")
            let blocking = try #require(findings.first { $0.rule == .blockingJob })
            #expect(blocking.spawnSite?.hasPrefix("TaskTraceDemo/BlockingScenario.swift:") ?? false)
            #expect((blocking.duration ?? 0) >= 100_000_000)
            // The loop tickers waited behind it; the pool's work is not blocking.
            #expect(blocking.message.contains("loop-ticker"))
            #expect(
                !findings.contains { $0.taskName.hasPrefix("blocking-in-pool") || $0.taskName.hasPrefix("pool-ticker") }
            )
        }

        @Test func exceptionsFindsTheErrorNeverRetrieved() async throws {
            let findings = try await Self.findings(["exceptions"])
            #expect(Self.names(findings, .errorNeverRetrieved) == ["send-metrics"], "\(findings.map(\.message))")
            #expect(findings.first?.severity == .error)
            #expect(findings.first?.message.contains("connection refused") ?? false)
        }

        @Test func waitForTimeoutFindsTheTimeoutThatFired() async throws {
            let findings = try await Self.findings(["wait-for-timeout"])
            #expect(Self.names(findings, .timeoutFired) == ["slow-query"], "\(findings.map(\.message))")
            let fired = try #require(findings.first { $0.rule == .timeoutFired })
            #expect(fired.message.contains("wait-for-timeout #") && fired.message.contains("0.1 seconds"))
            #expect(findings.allSatisfy { $0.severity == .info })
        }

        @Test func commonErrorsFindsTheTasksLeftRunning() async throws {
            let findings = try await Self.findings(["common-errors"])
            let leftRunning: Set<String> = ["flush-cache", "refresh-token", "send-goodbye-email"]
            #expect(Self.names(findings, .unfinishedAtEnd) == leftRunning, "\(findings.map(\.message))")
            #expect(Self.names(findings, .orphan) == leftRunning)
            #expect(findings.filter { $0.rule == .orphan }.allSatisfy { $0.message.contains("common-errors #") })
            #expect(Set(findings.map(\.rule)) == [.unfinishedAtEnd, .orphan])
        }

        /// The scenario cancels a task group whose children all stop at once: no ignored cancellation at the
        /// default threshold. At a 1 ns threshold the same lint sees the cancelled pool and its group children
        /// (which inherit the request), which shows it reads the real cancellation marks.
        @Test func cancellationIsHonouredAndSeen() async throws {
            let recording = try await DemoRecording.record(["cancellation"])
            let timeline = recording.timeline
            #expect(timeline.findings().isEmpty, "\(timeline.findings().map(\.message))")
            let strict = timeline.findings(options: LintOptions(cancellationThreshold: 1))
            let ignored = strict.filter { $0.rule == .cancellationIgnored }
            #expect(ignored.contains { $0.taskName.hasPrefix("worker-pool") })
            #expect(ignored.contains { $0.taskName.hasPrefix("resize-image") && $0.message.contains("worker-pool") })
        }

        @Test(arguments: ["coroutine", "gather"])
        func cleanScenariosHaveNoFindings(scenario: String) async throws {
            let findings = try await Self.findings([scenario])
            #expect(findings.isEmpty, "\(findings.map { "\($0.rule.rawValue): \($0.message)" })")
        }

        /// With four workers a task's result is published while its final job still returns: the parent that
        /// took it must not count as outlived (no orphans), and nothing else may appear.
        @Test func theCrawlerOnFourWorkersHasOnlyItsTimeouts() async throws {
            let recording = try await DemoRecording.record(["crawler", "gather"], workers: 4)
            let findings = recording.timeline.findings()
            #expect(
                findings.allSatisfy { $0.rule == .timeoutFired },
                "\(findings.filter { $0.rule != .timeoutFired }.map { "\($0.rule.rawValue): \($0.message)" })")
        }

        @Test func theCrawlerHasOnlyItsTimeouts() async throws {
            let findings = try await Self.findings(["crawler"])
            #expect(
                findings.allSatisfy { $0.rule == .timeoutFired && $0.severity == .info },
                "\(findings.filter { $0.rule != .timeoutFired }.map { "\($0.rule.rawValue): \($0.message)" })")
            #expect(findings.allSatisfy { $0.taskName.hasPrefix("get-") })
        }
    }
}
