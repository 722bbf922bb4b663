import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// Keeps docs/schema.md honest: its example queries run on a real trace, and every table it names exists.
@Suite("docs/schema.md matches the code")
struct SchemaDocTests {
    static var schemaDoc: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        }
    }

    /// The ```sql blocks of the document.
    static func sqlBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```sql") {
                current = []
            } else if line.hasPrefix("```"), let block = current {
                blocks.append(block.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test("every example query runs on a real trace")
    func examplesRun() throws {
        let blocks = Self.sqlBlocks(try Self.schemaDoc)
        #expect(blocks.count >= 5)
        let directory = try TemporaryDirectory()
        let path = directory.path("doc.sqlite")
        let writer = try TraceWriter(path: path)
        try writer.write(
            TraceBatch(
                transitions: StoreRoundTripTests.workload(taskCount: 50),
                tasks: (1...50).map { TaskRecord(id: TraceTaskID($0), parentID: $0 > 1 ? 1 : nil, name: "t\($0)", kind: .spawned) },
                threads: (1...4).map { ThreadRecord(id: TraceThreadID($0), name: "w\($0)", kind: .worker) },
                marks: [MarkRecord(taskID: 2, timestamp: 3, kind: MarkKind.cancelRequested, detail: "by task 1")]
            )
        )
        try writer.finish()
        for block in blocks {
            let result = try SQLiteShell.run(path, block)
            #expect(result.status == 0 && result.stderr.isEmpty, "query failed: \(result.stderr)\n\(block)")
        }
    }

    @Test("every table of the schema has its own section")
    func everyTableDocumented() throws {
        let doc = try Self.schemaDoc
        for table in ["meta", "tasks", "transitions", "job_log", "mark_log", "transition_log", "states", "threads", "marks", "untracked_jobs",
                      "job_batches", "untracked_batches", "task_batches", "task_updates"] {
            #expect(doc.contains("`\(table)("), "docs/schema.md does not document \(table)")
        }
        for state in TaskState.allCases { #expect(doc.contains("`\(state.name)`=\(state.rawValue)")) }
        for key in [MetaKey.formatVersion, MetaKey.tasktraceVersion, MetaKey.startedUnixNs, MetaKey.endedUnixNs,
                    MetaKey.clock, MetaKey.host, MetaKey.pid, MetaKey.command, MetaKey.workers, MetaKey.droppedEvents] {
            #expect(doc.contains("`\(key)`"), "meta key \(key) undocumented")
        }
    }
}

extension SchemaDocTests {
    @Test("every code tasktrace check reports is documented")
    func everyCheckCodeDocumented() throws {
        let doc = try Self.schemaDoc
        let integrity = TraceIntegrity(meta: [:]).counters.map(\.key)
        for code in TraceChecker.codes + integrity {
            #expect(doc.contains("`\(code)`"), "docs/schema.md does not document check code \(code)")
        }
    }
}
