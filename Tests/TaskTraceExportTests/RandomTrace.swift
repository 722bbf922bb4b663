import TaskTraceDemo
import TaskTraceModel

/// The demo's seeded generator (SplitMix64): the same seed gives the same trace on every machine and run.
typealias SeededRandom = SplitMix64

/// A random trace that is valid by construction: a random task tree, every task's life a legal walk of the state
/// machine (some left unfinished), non-decreasing timestamps, threads and marks that exist, and hostile text in
/// names, errors and mark details (markup, quotes, newlines, control characters, NUL, 10 kB names). Invalid UTF-8
/// cannot live in a Swift `String`; `invalidUTF8Names` lists tasks whose name the test overwrites with raw bytes.
struct RandomTrace {
    var tasks: [TaskRecord] = []
    var transitions: [TransitionRecord] = []
    var threads: [ThreadRecord] = []
    var marks: [MarkRecord] = []
    var untrackedJobs: [UntrackedJobRecord] = []
    var meta: [String: String] = [:]
    /// Task ids whose `name` the test replaces with invalid UTF-8 bytes in the file.
    var invalidUTF8Names: [TraceTaskID] = []
    /// Every piece of text put into the trace that contains markup; no export may contain one verbatim.
    var markupTexts: Set<String> = []

    /// Fragments that break naive escaping in JSON, XML/SVG, HTML or a terminal.
    static let hostile = [
        "<script>alert('tt')</script>", "</svg><svg onload=alert(1)>", "\"quoted\" & 'single'", "line\nbreak\r\n",
        "tab\there", "nul\u{0}inside", "bell\u{7}esc\u{1B}[2J", "c1\u{85}\u{9F}", "]]>", "<!--", "</script><b>",
        "\\u003c/script>", "emoji 🧵", "\u{FEFF}bom", "\u{2028}sep\u{2029}", "{\"json\":1}", "&amp;&lt;", "\u{FFFF}",
    ]

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let threadCount = Int.random(in: 1...3, using: &random)
        threads = (1...threadCount).map {
            ThreadRecord(id: TraceThreadID($0), name: "worker \(Self.text(&random, markup: &markupTexts))", kind: .worker)
        }
        let taskCount = Int.random(in: 1...40, using: &random)
        var clock: TraceNanos = TraceNanos.random(in: 0...1_000, using: &random)
        var lives: [[TransitionRecord]] = []
        for index in 0..<taskCount {
            let id = TraceTaskID(index + 1) * 3 + TraceTaskID.random(in: 0...2, using: &random)
            let parent = index == 0 || Bool.random(using: &random) && index < 2 ? nil : tasks.randomElement(using: &random)?.id
            var life: [TransitionRecord] = []
            var state = TaskState.created
            var time = clock
            life.append(TransitionRecord(taskID: id, timestamp: time, state: .created))
            let steps = Int.random(in: 0...12, using: &random)
            for _ in 0..<steps where !state.isTerminal {
                let next = TaskState.allCases.filter { state.canTransition(to: $0) }.randomElement(using: &random) ?? .done
                time += Bool.random(using: &random) ? 0 : TraceNanos.random(in: 1...2_000_000, using: &random)
                let thread = next == .running ? TraceThreadID.random(in: 1...TraceThreadID(threadCount), using: &random) : 0
                life.append(TransitionRecord(taskID: id, timestamp: time, state: next, threadID: thread))
                state = next
            }
            let name: String? = Int.random(in: 0..<5, using: &random) == 0 ? nil : Self.text(&random, markup: &markupTexts)
            let error = state == .errored || state == .cancelled ? Self.text(&random, markup: &markupTexts) : nil
            tasks.append(
                TaskRecord(
                    id: id, parentID: parent, name: name, kind: TaskKind.allCases.randomElement(using: &random) ?? .unknown,
                    file: Bool.random(using: &random) ? "Mod/\(Self.text(&random, markup: &markupTexts)).swift" : nil,
                    line: Int.random(in: 0...1_000, using: &random), error: error
                )
            )
            if Int.random(in: 0..<8, using: &random) == 0 { invalidUTF8Names.append(id) }
            if Bool.random(using: &random) {
                marks.append(
                    MarkRecord(
                        taskID: id, timestamp: life.last?.timestamp ?? time, kind: MarkKind.annotation,
                        detail: Self.text(&random, markup: &markupTexts)
                    )
                )
            }
            lives.append(life)
            clock += TraceNanos.random(in: 0...500_000, using: &random)
        }
        // Interleave the lives in time order, each task's own order kept (ties: task order, as a recorder might).
        transitions = lives.flatMap { $0 }.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }.map(\.element)
        let end = (transitions.map(\.timestamp).max() ?? 0) + 1_000
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let start = TraceNanos.random(in: 0...end, using: &random)
            untrackedJobs.append(
                UntrackedJobRecord(
                    threadID: TraceThreadID.random(in: 1...TraceThreadID(threadCount), using: &random), start: start,
                    end: start + TraceNanos.random(in: 0...10_000, using: &random)
                )
            )
        }
        marks.append(MarkRecord(taskID: nil, timestamp: end / 2, kind: MarkKind.annotation, detail: Self.text(&random, markup: &markupTexts)))
        meta = [
            MetaKey.command: "fuzz \(Self.text(&random, markup: &markupTexts))", MetaKey.endedUnixNs: "1",
            MetaKey.durationNs: String(end), MetaKey.droppedEvents: String(Int.random(in: 0...2, using: &random)),
        ]
    }

    /// A short or (rarely) 10 kB text made of hostile fragments and plain words.
    static func text(_ random: inout SeededRandom, markup: inout Set<String>) -> String {
        var parts: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            if Bool.random(using: &random) {
                parts.append(hostile.randomElement(using: &random) ?? "")
            } else {
                parts.append("w\(UInt16.random(in: 0...999, using: &random))")
            }
        }
        if Int.random(in: 0..<30, using: &random) == 0 {
            parts.append(String(repeating: "long<&>\"", count: 1_250))  // 10 kB
        }
        let text = parts.joined(separator: " ")
        if text.contains("<") { markup.insert(text) }
        return text
    }
}
