import TaskTraceModel

/// Writes a `Timeline` as the interactive viewer: ONE self-contained HTML file (opens from `file://`, makes no
/// network request) holding the viewer's CSS and script from `web/` (embedded in the binary, see `WebSources`)
/// and the trace's data as compact columns (see `ViewerDataWriter`).
///
/// Page layout: `<style>` with `web/viewer.css`; an empty `#app` the script fills; the data in
/// `<script type="application/json" id="tasktrace-data">` (never executed; no trace text can end it); the
/// modules joined by `WebBundle` in one `<script>`. All trace text reaches the page through `textContent` or
/// canvas text in the viewer, never as markup. docs/viewer.md describes what the viewer shows.
///
/// Thread-safe (stateless); the `ByteWriter` passed in belongs to the caller.
public enum HTMLViewerExporter {
    /// The viewer's script, bundled once per process.
    static let script: Result<String, WebBundle.Failure> = {
        do {
            return .success(try WebBundle.bundle(modules: WebSources.modules, entry: "main.js"))
        } catch let failure as WebBundle.Failure {
            return .failure(failure)
        } catch {
            return .failure(WebBundle.Failure(description: "\(error)"))
        }
    }()

    /// Writes the page to `out`.
    /// - Throws: `WebBundle.Failure` if the embedded viewer sources cannot be bundled (a broken build), or
    ///   whatever `out`'s sink throws.
    /// - Parameters:
    ///   - findings: lint findings to list in the findings panel (each jumps to its task and time).
    ///   - criticalPaths: critical paths of this timeline's tasks (`timeline.criticalPaths()`), drawn by the
    ///     viewer's "critical path" toggle; none by default (the toggle is then absent).
    public static func write(
        _ timeline: Timeline, to out: inout ByteWriter, palette: StatePalette = .standard, findings: [Finding] = [],
        criticalPaths: [CriticalPath] = []
    ) throws {
        let script = try Self.script.get()
        out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        out.writeXMLEscaped("tasktrace — \(timeline.meta[MetaKey.command] ?? "trace")")
        out.write("</title>\n<style>\n")
        out.writeUnescaped(WebSources.stylesheet)
        out.write("</style>\n</head>\n<body>\n<noscript>This timeline needs JavaScript. ")
        out.write("<code>tasktrace export TRACE -o trace.svg</code> writes a static chart instead.</noscript>\n")
        out.write("<div id=\"app\"></div>\n<script type=\"application/json\" id=\"tasktrace-data\">")
        try ViewerDataWriter.write(
            timeline, palette: palette, findings: findings, criticalPaths: criticalPaths, to: &out)
        out.write("</script>\n<script>\n")
        out.writeUnescaped(script)
        out.write("</script>\n</body>\n</html>\n")
        try out.flushIfNeeded()
    }
}
