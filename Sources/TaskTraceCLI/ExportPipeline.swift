import ArgumentParser
import Foundation
import TaskTraceExport
import TaskTraceModel
import TaskTraceStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exports a whole trace: reads `tracePath`, builds the timeline and writes `format` to `outputPath`
/// ("-" = standard output) through a temporary file renamed into place.
///
/// Used by `tasktrace export` and `tasktrace record demo`. Never modifies the trace.
/// - Throws: `ExitCode` after printing one clear line on stderr (bad trace, unwritable output).
func exportTrace(tracePath: String, format: ExportFormat, outputPath: String) throws {
    try exportTrace(tracePath: tracePath, format: format, outputPath: outputPath, options: TimelineOptions())
}

/// `exportTrace(tracePath:format:outputPath:)` with a time window and name filter, the Chrome exporter's choices
/// (which spawn arrows to draw), and an optional progress line on stderr (only when stderr is a terminal and the
/// trace is large).
func exportTrace(
    tracePath: String, format: ExportFormat, outputPath: String, options: TimelineOptions,
    chromeOptions: ChromeExportOptions = ChromeExportOptions(), showProgress: Bool = true
) throws {
    if outputPath != "-", let companion = traceFile(overwrittenBy: outputPath, trace: tracePath) {
        throw CleanExit.failure(
            "\(outputPath): refusing to overwrite the input trace (\(companion)); choose another output path"
        )
    }
    let timeline = try loadTimeline(tracePath: tracePath, options: options, showProgress: showProgress)
    if let from = options.from, from > timeline.traceEnd {
        throw CleanExit.failure(
            "--from (\(TraceTimeText.format(from))) is after the end of the trace (\(TraceTimeText.format(timeline.traceEnd)))"
        )
    }
    let output: AtomicOutputFile
    do {
        output = try AtomicOutputFile(path: outputPath)
    } catch {
        throw CleanExit.failure(error.description)
    }
    // Findings of the whole trace, placed on the part exported: a filter or window must not create false ones.
    let findings =
        options.isEverything
        ? timeline.findings()
        : timeline.placing(try loadTimeline(tracePath: tracePath, options: TimelineOptions(), showProgress: false).findings())
    // `.gz`: the same bytes through gzip (Chrome JSON only; both viewers open it as is).
    let gzip: GzipStream?
    if outputPath.lowercased().hasSuffix(".gz") {
        guard format == .chrome else {
            output.abandon()
            throw CleanExit.failure("\(outputPath): gzip output (.gz) is for Chrome JSON only")
        }
        do { gzip = try GzipStream() } catch {
            output.abandon()
            throw CleanExit.failure(error.description)
        }
    } else {
        gzip = nil
    }
    do {
        var writer = ByteWriter { chunk in
            if let gzip { try gzip.compress(chunk) { try output.write($0) } } else { try output.write(chunk) }
        }
        switch format {
        // Lint findings (default thresholds) are drawn on their tasks and listed in the viewer's findings panel.
        case .chrome:
            try ChromeTraceExporter.write(timeline, to: &writer, findings: findings, options: chromeOptions)
        case .svg: try SVGGanttExporter.write(timeline, to: &writer, findings: findings)
        // Critical paths only for the whole trace: a window or filter would cut the chains (docs/viewer.md).
        case .html:
            try HTMLViewerExporter.write(
                timeline, to: &writer, findings: findings,
                criticalPaths: options.isEverything ? timeline.criticalPaths() : [])
        }
        try writer.flush()
        try gzip?.finish { try output.write($0) }
        try output.commit()
    } catch let failure as AtomicOutputFile.Failure {
        output.abandon()
        throw CleanExit.failure(failure.description)
    } catch let failure as GzipStream.Failure {
        output.abandon()
        throw CleanExit.failure("\(outputPath): \(failure.description)")
    } catch {
        output.abandon()
        throw CleanExit.failure("\(outputPath): export failed (\(error))")
    }
}

/// Reads a trace into a `Timeline`, streaming its transitions.
func loadTimeline(tracePath: String, options: TimelineOptions, showProgress: Bool) throws -> Timeline {
    let reader = try openTrace(tracePath)
    do {
        let total = try reader.transitionCount()
        var builder = TimelineBuilder(
            tasks: try reader.tasks(), threads: try reader.threads(), marks: try reader.marks(),
            untrackedJobs: try reader.untrackedJobs(), meta: try reader.meta(), options: options,
            expectedTransitions: total
        )
        var progress = ProgressLine(total: total, enabled: showProgress && total >= 500_000 && isatty(STDERR_FILENO) == 1)
        try reader.forEachTransition { record in
            builder.add(record)
            progress.advance()
        }
        progress.finish()
        return builder.finish()
    } catch let error as TraceStoreError {
        throw CleanExit.failure(error.description)
    }
}

/// True when both paths name the same existing file.
/// The trace file, or one of SQLite's companion files (`-wal`, `-shm`, `-journal`), that writing `output` would
/// overwrite or create; nil when `output` is elsewhere. A companion written by us would corrupt the trace (a fake
/// journal is replayed) or lose its unflushed part (a replaced WAL), even when it does not exist yet.
private func traceFile(overwrittenBy output: String, trace: String) -> String? {
    let outputPath = canonicalPath(output)
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let candidate = trace + suffix
        if isSameFile(output, candidate) || outputPath == canonicalPath(candidate) { return candidate }
    }
    return nil
}

/// `path` absolute, with `.`/`..` and symbolic links in its folders resolved (the file itself need not exist).
private func canonicalPath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let folder = url.deletingLastPathComponent().resolvingSymlinksInPath()
    return folder.appendingPathComponent(url.lastPathComponent).path
}

private func isSameFile(_ first: String, _ second: String) -> Bool {
    var a = stat()
    var b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}

/// "reading transitions 42%" redrawn in place on stderr.
private struct ProgressLine {
    let total: Int
    let enabled: Bool
    var done = 0
    var shownPercent = -1

    mutating func advance() {
        guard enabled else { return }
        done += 1
        guard done & 0xFFFF == 0 else { return }
        let percent = done * 100 / max(total, 1)
        if percent != shownPercent {
            shownPercent = percent
            Self.writeStderr("\rtasktrace: reading transitions \(percent)%")
        }
    }

    private static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    func finish() {
        guard enabled else { return }
        Self.writeStderr("\r\u{1B}[K")
    }
}
