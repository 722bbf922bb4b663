/// What `TraceChecker` found in one trace: every problem (up to `TraceCheckReport.keptPerCode` per code, the
/// rest counted in `omitted`), totals, and the sizes of the tables it read.
///
/// The trace is valid when it has no errors; warnings are allowed. Codable: `tasktrace check --json` prints it
/// (format in docs/schema.md). Thread-safe (a value type).
public struct TraceCheckReport: Sendable, Hashable, Codable {
    /// Row counts of what was checked.
    public struct Counts: Sendable, Hashable, Codable {
        public var tasks = 0
        public var transitions = 0
        public var threads = 0
        public var marks = 0
        public var untrackedJobs = 0
        /// Tasks whose last transition is not terminal (normal for a trace cut short, or tasks left running).
        public var unfinishedTasks = 0

        enum CodingKeys: String, CodingKey {
            case tasks, transitions, threads, marks
            case untrackedJobs = "untracked_jobs"
            case unfinishedTasks = "unfinished_tasks"
        }
    }

    /// At most this many problems of one code are listed; a damaged 10M-row trace must not print 10M lines.
    public static let keptPerCode = 50

    public var path: String
    /// `PRAGMA user_version`, nil when the file could not be opened as a trace.
    public var formatVersion: Int?
    public var counts = Counts()
    /// Problems in the order found, at most `keptPerCode` per code.
    public private(set) var problems: [TraceCheckProblem] = []
    /// Per code, how many problems were found beyond those listed.
    public private(set) var omitted: [String: Int] = [:]
    /// All errors found, listed or not.
    public private(set) var errorCount = 0
    /// All warnings found, listed or not.
    public private(set) var warningCount = 0

    /// True when the trace has no errors (warnings allowed).
    public var isValid: Bool { errorCount == 0 }

    public init(path: String) {
        self.path = path
    }

    /// Adds a problem, counting it and keeping it unless its code already has `keptPerCode` listed.
    public mutating func add(_ problem: TraceCheckProblem) {
        switch problem.severity {
        case .error: errorCount += 1
        case .warning: warningCount += 1
        }
        if listed[problem.code, default: 0] < Self.keptPerCode {
            listed[problem.code, default: 0] += 1
            problems.append(problem)
        } else {
            omitted[problem.code, default: 0] += 1
        }
    }

    private var listed: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case path, counts, problems, omitted
        case valid
        case formatVersion = "format_version"
        case errorCount = "errors"
        case warningCount = "warnings"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        formatVersion = try container.decodeIfPresent(Int.self, forKey: .formatVersion)
        counts = try container.decode(Counts.self, forKey: .counts)
        problems = try container.decode([TraceCheckProblem].self, forKey: .problems)
        omitted = try container.decode([String: Int].self, forKey: .omitted)
        errorCount = try container.decode(Int.self, forKey: .errorCount)
        warningCount = try container.decode(Int.self, forKey: .warningCount)
        for problem in problems { listed[problem.code, default: 0] += 1 }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(isValid, forKey: .valid)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(counts, forKey: .counts)
        try container.encode(errorCount, forKey: .errorCount)
        try container.encode(warningCount, forKey: .warningCount)
        try container.encode(problems, forKey: .problems)
        try container.encode(omitted, forKey: .omitted)
    }
}
