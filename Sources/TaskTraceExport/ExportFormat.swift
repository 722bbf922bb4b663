/// The file formats `tasktrace export` writes.
///
/// Thread-safe (a value type).
public enum ExportFormat: String, Sendable, CaseIterable, Hashable {
    /// Chrome Trace Event Format JSON, for Perfetto (ui.perfetto.dev) and chrome://tracing.
    case chrome
    /// A static SVG 1.1 Gantt chart, one row per task.
    case svg
    /// A self-contained interactive HTML viewer (sources in `web/`, data inlined; opens offline).
    case html

    /// The format a file name implies by its extension (`.json` and `.json.gz` → chrome, `.svg`, `.html`/`.htm`),
    /// or nil.
    ///
    /// ```swift
    /// ExportFormat(inferringFrom: "out/run.json")  // .chrome
    /// ```
    public init?(inferringFrom path: String) {
        if path.lowercased().hasSuffix(".json.gz") {
            self = .chrome
            return
        }
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "json": self = .chrome
        case "svg": self = .svg
        case "html", "htm": self = .html
        default: return nil
        }
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .chrome: "json"
        case .svg: "svg"
        case .html: "html"
        }
    }
}
