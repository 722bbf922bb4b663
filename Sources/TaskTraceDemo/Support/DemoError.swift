/// The errors the demo's simulated work throws on purpose. Thread-safe (a value type).
enum DemoError: Error, Sendable, CustomStringConvertible {
    /// A configuration value could not be parsed (the `exceptions` scenario's handled error).
    case invalidConfig(String)
    /// A simulated service refused the connection (the error nobody retrieves).
    case connectionRefused(host: String)
    /// A simulated HTTP fetch failed with a server error.
    case httpStatus(Int, url: String)
    /// A simulated job failed (`wait-first-exception`).
    case jobFailed(Int)

    var description: String {
        switch self {
        case .invalidConfig(let detail): "invalid configuration: \(detail)"
        case .connectionRefused(let host): "connection refused by \(host)"
        case .httpStatus(let status, let url): "HTTP \(status) from \(url)"
        case .jobFailed(let index): "job \(index) failed"
        }
    }
}
