import Foundation

/// Where `record demo` writes: the trace, and the HTML beside it with the same stem (`demo.sqlite` ->
/// `demo.html`). Checks up front that both can be written, so a bad path is one clear line, not a failure
/// halfway through a recording.
struct DemoOutputPaths {
    /// Absolute path of the trace file.
    let trace: String
    /// Absolute path of the HTML file, nil with `--no-html`.
    let html: String?

    /// - Throws: `ExitCode` (after one line on stderr) when a path cannot be written.
    init(output: String, writesHTML: Bool) throws {
        guard !output.isEmpty else { throw CleanExit.failure("--output must not be empty") }
        let traceURL = URL(fileURLWithPath: output).standardizedFileURL
        let stem = traceURL.deletingPathExtension()
        guard traceURL.pathExtension.lowercased() != "html" else {
            throw CleanExit.failure("\(output): the trace is an SQLite file; give --output a .sqlite name")
        }
        let htmlURL = stem.appendingPathExtension("html")
        try Self.checkWritable(traceURL, shownAs: output)
        if writesHTML { try Self.checkWritable(htmlURL, shownAs: htmlURL.path) }
        trace = traceURL.path
        html = writesHTML ? htmlURL.path : nil
    }

    /// Fails unless `url`'s folder exists and is writable and `url` is not a folder.
    private static func checkWritable(_ url: URL, shownAs shown: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CleanExit.failure("\(shown): cannot write there (it is a directory)")
        }
        let folder = url.deletingLastPathComponent().path
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CleanExit.failure("\(shown): cannot write there (no such directory: \(folder))")
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw CleanExit.failure("\(shown): cannot write there (directory not writable: \(folder))")
        }
    }
}
