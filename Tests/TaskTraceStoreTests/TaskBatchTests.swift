import Foundation
import TaskTraceModel
import TaskTraceStore
import Testing

/// Format version 4's tasks: first records in `task_batches` (JSON), later ones in `task_updates`, the `tasks`
/// view and the reader laying the second over the first. Expected values come from the records the tests write
/// and from the sqlite3 shell's view of the file, never from the reader alone.
@Suite("Task batches (format version 4)")
struct TaskBatchTests {
    /// Names that need every kind of care in JSON: quotes, backslashes, control characters, multi-byte UTF-8.
    static let awkwardTexts = [
        "", "plain", "with \"quotes\"", #"back\slash\\"#, "tab\tnew\nline\r", "\u{1}\u{1f}\u{7f}", "é", "日本語",
        "🦀 emoji 👩‍👩‍👧", "/", #"\u0041 stays text"#, "a,b]}[{", "null",
    ]

    static func decoded(_ text: [UInt8]) throws -> [TaskRecord] {
        var tasks: [TaskRecord] = []
        try text.withUnsafeBufferPointer { buffer in
            try TaskBatchDecoding.forEachTask(in: buffer) { tasks.append($0) }
        }
        return tasks
    }

    @Test("records of every shape survive encoding and decoding unchanged")
    func encodeDecodeRoundTrip() throws {
        var tasks: [TaskRecord] = []
        for (index, text) in Self.awkwardTexts.enumerated() {
            let kind = TaskKind.allCases[index % TaskKind.allCases.count]
            tasks.append(TaskRecord(id: TraceTaskID(index + 1), parentID: 1, name: text, kind: kind, file: text, line: index, error: text))
            tasks.append(TaskRecord(id: TraceTaskID(index + 100), error: text))  // nulls before a late element
        }
        tasks.append(TaskRecord(id: .max, parentID: .max - 1, kind: .groupChild))  // ids beyond Int64.max
        tasks.append(TaskRecord(id: 0, line: -5))
        var text: [UInt8] = []
        TaskBatchEncoding.encode(tasks[...], into: &text)
        #expect(try Self.decoded(text) == tasks)
        // A captured group child is three elements, trailing nulls left out.
        TaskBatchEncoding.encode([TaskRecord(id: 17, parentID: 1, kind: .groupChild)], into: &text)
        #expect(String(decoding: text, as: UTF8.self) == #"[[17,1,"group_child"]]"#)
    }

    @Test("the sqlite3 shell's view shows what was written, merged with later records, through every statement size")
    func viewAndReaderAgree() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tasks.sqlite")
        let writer = try TraceWriter(path: path)
        // 300 first records (several batch rows' worth of text), then later records in later writes: those go to
        // task_updates; a name and an error in the first write are merged into the batch.
        var first = (1...300).map { TaskRecord(id: TraceTaskID($0), parentID: $0 > 1 ? 1 : nil, kind: .groupChild) }
        first.append(TaskRecord(id: 7, name: "named in the same write"))
        first.append(TaskRecord(id: 8, error: "failed in the same write"))
        try writer.write(TraceBatch(tasks: first))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 9, name: "named later", file: "M/F.swift", line: 12)]))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 9, error: "failed later"), TaskRecord(id: 10, kind: .spawned)]))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 9, kind: .unknown), TaskRecord(id: 301, name: "new")]))
        try writer.finish()

        var expected: [TraceTaskID: TaskRecord] = [:]
        for id in 1...300 { expected[TraceTaskID(id)] = TaskRecord(id: TraceTaskID(id), parentID: id > 1 ? 1 : nil, kind: .groupChild) }
        expected[7]?.name = "named in the same write"
        expected[8]?.error = "failed in the same write"
        expected[9] = TaskRecord(id: 9, parentID: 1, name: "named later", kind: .groupChild, file: "M/F.swift", line: 12, error: "failed later")
        expected[10]?.kind = .spawned
        expected[301] = TaskRecord(id: 301, name: "new")
        let ordered = expected.values.sorted { $0.id < $1.id }

        #expect(try TraceReader(path: path).tasks() == ordered)
        let view = try runSQLite(path, "SELECT id, parent_id, name, kind, file, line, error FROM tasks WHERE id IN (1, 7, 8, 9, 10, 301) ORDER BY id")
        #expect(
            view == """
                1|||group_child|||
                7|1|named in the same write|group_child|||
                8|1||group_child|||failed in the same write
                9|1|named later|group_child|M/F.swift|12|failed later
                10|1||spawned|||
                301||new|unknown|||
                """, "\(view)")
        #expect(try runSQLite(path, "SELECT count(*), count(DISTINCT id) FROM tasks") == "301|301")
        // Each task's first record once; only tasks batched by an earlier write have an update row.
        #expect(try runSQLite(path, "SELECT group_concat(id) FROM (SELECT id FROM task_updates ORDER BY id)") == "9,10")
        #expect(try runSQLite(path, "SELECT count(*) > 1 FROM task_batches") == "1")
    }

    @Test("records out of id order (tasks created at once on two threads) are merged and updated all the same")
    func outOfOrderIDs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("order.sqlite")
        let writer = try TraceWriter(path: path)
        let ids: [TraceTaskID] = [50, 10, 30, 60, 20, 55]
        try writer.write(TraceBatch(tasks: ids.map { TaskRecord(id: $0, kind: .spawned) } + [TaskRecord(id: 10, name: "ten"), TaskRecord(id: 55, name: "fifty-five")]))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 30, error: "thirty"), TaskRecord(id: 60, error: "sixty"), TaskRecord(id: 5, kind: .blocking)]))
        try writer.write(TraceBatch(tasks: [TaskRecord(id: 20, name: "twenty"), TaskRecord(id: 5, name: "five")]))
        try writer.finish()
        let view = try runSQLite(path, "SELECT group_concat(id || ':' || coalesce(name, '') || ':' || kind || ':' || coalesce(error, ''), ' ') FROM (SELECT * FROM tasks ORDER BY id)")
        #expect(view == "5:five:blocking: 10:ten:spawned: 20:twenty:spawned: 30::spawned:thirty 50::spawned: 55:fifty-five:spawned: 60::spawned:sixty")
        #expect(try runSQLite(path, "SELECT count(*) FROM (SELECT j.value ->> 0 FROM task_batches, json_each(tasks) AS j)") == "7")
        let read = try TraceReader(path: path).tasks()
        #expect(read.map(\.id) == [5, 10, 20, 30, 50, 55, 60])
        #expect(read.map(\.name) == ["five", "ten", "twenty", nil, nil, "fifty-five", nil])
        #expect(read.map(\.error) == [nil, nil, nil, "thirty", nil, nil, "sixty"])
    }

    @Test("text of every kind reads back whole through the reader and, NUL aside, through the view")
    func awkwardTextThroughTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("text.sqlite")
        let writer = try TraceWriter(path: path)
        let tasks = Self.awkwardTexts.enumerated().map { TaskRecord(id: TraceTaskID($0.offset + 1), name: $0.element, file: $0.element) }
        try writer.write(TraceBatch(tasks: tasks))
        try writer.write(TraceBatch(tasks: tasks.map { TaskRecord(id: $0.id, error: $0.name) }))
        try writer.finish()
        #expect(try TraceReader(path: path).tasks().map(\.name) == Self.awkwardTexts)
        #expect(try TraceReader(path: path).tasks().map(\.error) == Self.awkwardTexts)
        // The shell's view, each name hex-encoded so separators and new lines cannot blur the comparison.
        let hex = try runSQLite(path, "SELECT group_concat(hex(name) || ':' || hex(file), ',') FROM (SELECT name, file FROM tasks ORDER BY id)")
        let expected = Self.awkwardTexts.map { text in
            let bytes = text.utf8.map { String(format: "%02X", $0) }.joined()
            return bytes + ":" + bytes
        }
        #expect(hex == expected.joined(separator: ","))
    }

    @Test("a version 3 file (tasks a table) is still read")
    func version3FileRead() throws {
        let directory = try TemporaryDirectory()
        let path = try ReaderRefusalTests.makeTrace(in: directory, rows: 20)
        try writerUpdate(path, name: "renamed")
        let before = try TraceReader(path: path).tasks()
        // Version 3's schema differs only in `tasks` being a table: make one from the view.
        let downgrade = """
            CREATE TABLE tasks_v3 AS SELECT * FROM tasks;
            DROP VIEW tasks; DROP TABLE task_batches; DROP TABLE task_updates;
            CREATE TABLE tasks(id INTEGER PRIMARY KEY, parent_id INTEGER NULL, name TEXT,
                kind TEXT NOT NULL DEFAULT 'unknown', file TEXT, line INTEGER, error TEXT);
            INSERT INTO tasks SELECT * FROM tasks_v3; DROP TABLE tasks_v3;
            PRAGMA user_version=3; UPDATE meta SET value = '3' WHERE key = 'format_version';
            """
        #expect(try SQLiteShell.run(path, downgrade, readOnly: false).status == 0)
        let reader = try TraceReader(path: path)
        #expect(reader.formatVersion == 3)
        #expect(try reader.tasks() == before)
        #expect(before.count == 20 && before[3].name == "renamed")
        #expect(TraceChecker.check(path: path).isValid)
    }

    /// Renames task 3 the way a later record does (through `task_updates`).
    private func writerUpdate(_ path: String, name: String) throws {
        #expect(try SQLiteShell.run(path, "UPDATE tasks SET name = '\(name)' WHERE id = 3", readOnly: false).status == 0)
    }

    @Test("a task in two batches is refused by the reader and reported by check")
    func duplicateTask() throws {
        let directory = try TemporaryDirectory()
        let path = try DamagedTraceTests.damagedTrace(in: directory, "INSERT INTO task_batches(tasks) VALUES ('[[5]]')")
        #expect { try TraceReader(path: path).tasks() } throws: { DamagedTraceTests.isCorrupt($0, mentioning: "task 5") }
        let report = TraceChecker.check(path: path)
        #expect(report.problems.contains { $0.code == "duplicate_task" && $0.taskID == 5 }, "\(report.problems)")
    }

    @Test("a task batch that is not the JSON tasktrace writes is refused and reported", arguments: [
        "UPDATE task_batches SET tasks = substr(tasks, 1, length(tasks) / 2) WHERE seq = 1",
        #"INSERT INTO task_batches(tasks) VALUES ('[["900"]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,"1"]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,null,7]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,null,null,null,null,null,null,1]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,null,null,"a\q"]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,null,null,"\u12"]]')"#,
        #"INSERT INTO task_batches(tasks) VALUES ('[[900,null,null,"open]]')"#,
        "INSERT INTO task_batches(tasks) VALUES ('[[900,null,null,\"' || char(1) || '\"]]')",
        "INSERT INTO task_batches(tasks) VALUES ('[[null]]')",
    ])
    func damagedTaskBatch(_ sql: String) throws {
        let directory = try TemporaryDirectory()
        let path = try DamagedTraceTests.damagedTrace(in: directory, sql)
        #expect { try TraceReader(path: path).tasks() } throws: { DamagedTraceTests.isCorrupt($0, mentioning: "task_batches") }
        let report = TraceChecker.check(path: path)
        #expect(report.problems.contains { $0.code == "bad_batch" }, "\(report.problems)")
    }

    @Test("escapes the writer never makes are still read as JSON reads them")
    func foreignEscapes() throws {
        let text = Array(#"[[1,null,"spawned","\u0041\/\b\f\ud83e\udd80 \ud800x",null,null]]"#.utf8)
        let tasks = try Self.decoded(text)
        #expect(tasks == [TaskRecord(id: 1, name: "A/\u{8}\u{c}🦀 \u{FFFD}x", kind: .spawned)])
    }
}
