/// How much a finding matters; `tasktrace lint --fail-on LEVEL` fails on findings at or above a level.
/// Thread-safe (a value type).
public enum FindingSeverity: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Worth knowing, not a bug by itself (a timeout that fired as designed).
    case info = 0
    /// Probably a problem: a blocked worker, a task left running, a starved task.
    case warning = 1
    /// A bug: an error nobody saw.
    case error = 2

    /// `info`, `warning`, `error`.
    public var name: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses `info`, `warning` or `error`.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
