import TaskTraceModel

/// Writes a `Timeline` as one self-contained HTML page (no scripts, no network): the SVG Gantt chart inline, then
/// the trace's metadata, counts and time per state, outcomes and the slowest tasks. A stand-in until the
/// interactive viewer lands. Every name and error text is XML-escaped: a task named `<script>` shows as text.
///
/// Thread-safe (stateless); the `ByteWriter` passed in belongs to the caller.
public enum HTMLSummaryExporter {
    /// Writes the page to `out`.
    /// - Throws: whatever `out`'s sink throws.
    public static func write(_ timeline: Timeline, to out: inout ByteWriter, palette: StatePalette = .standard) throws {
        let title = "tasktrace — \(timeline.meta[MetaKey.command] ?? "trace")"
        out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        out.writeXMLEscaped(title)
        out.write(
            """
            </title>
            <style>
            body{font:14px/1.4 Helvetica,Arial,sans-serif;margin:16px;color:#222}
            h1{font-size:20px}h2{font-size:16px;margin-top:24px}
            table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            .swatch{display:inline-block;width:12px;height:10px;margin-right:6px;vertical-align:middle}
            .warn{color:#b40000;font-weight:bold}.chart{overflow:auto;max-height:75vh;border:1px solid #ddd}
            .tables{display:flex;flex-wrap:wrap;gap:0 32px;align-items:flex-start}
            </style>
            </head>
            <body>

            """
        )
        out.write("<h1>")
        out.writeXMLEscaped(title)
        out.write("</h1>\n")
        if timeline.droppedEvents > 0 {
            out.write("<p class=\"warn\">")
            out.writeXMLEscaped("The recorder dropped \(timeline.droppedEvents) events: this timeline is incomplete.")
            out.write("</p>\n")
        }
        if timeline.omittedTaskCount > 0 {
            out.write("<p>")
            out.writeXMLEscaped("\(timeline.omittedTaskCount) tasks are filtered out (filter or time window).")
            out.write("</p>\n")
        }

        // The chart first: it is what a user opens the page for; the tables below explain it.
        out.write("<h2>Timeline</h2>\n<div class=\"chart\">\n")
        try SVGGanttExporter.write(timeline, to: &out, palette: palette, standalone: false)
        out.write("</div>\n<div class=\"tables\">\n<section>\n<h2>Trace</h2>\n<table>\n")
        for (key, value) in timeline.meta.sorted(by: { $0.key < $1.key }) {
            row(&out, [key, readableMetaValue(key: key, value: value)])
        }
        row(&out, ["tasks", String(timeline.tasks.count)])
        row(&out, ["segments", String(timeline.segments.count)])
        row(&out, ["shown", "\(TraceTimeText.format(timeline.start)) – \(TraceTimeText.format(timeline.end))"])
        out.write("</table>\n</section>\n<section>\n<h2>Time per state</h2>\n<table>\n<tr><th>state</th><th>segments</th><th>time, summed over all tasks</th></tr>\n")
        for total in timeline.stateTotals() {
            out.write("<tr><td><span class=\"swatch\" style=\"background:")
            out.writeUnescaped(palette[total.state].hex)
            out.write("\"></span>")
            out.writeUnescaped(total.state.name)
            out.write("</td><td class=\"n\">")
            out.writeDecimal(total.segments)
            out.write("</td><td class=\"n\">")
            out.writeXMLEscaped(TraceTimeText.format(total.nanos))
            out.write("</td></tr>\n")
        }
        out.write("</table>\n<h2>Outcomes</h2>\n<table>\n<tr><th>outcome</th><th>tasks</th></tr>\n")
        for outcome in timeline.outcomeCounts() {
            out.write("<tr><td>")
            out.writeXMLEscaped(outcome.outcome)
            out.write("</td><td class=\"n\">")
            out.writeDecimal(outcome.count)
            out.write("</td></tr>\n")
        }
        out.write("</table>\n</section>\n<section>\n<h2>Slowest tasks</h2>\n<table>\n<tr><th>task</th><th>lifetime</th><th>running</th>")
        out.write("<th>scheduled</th><th>suspended</th><th>jobs</th><th>outcome</th><th>error</th></tr>\n")
        for index in timeline.slowestTasks(limit: 10) {
            let task = timeline.tasks[index]
            row(
                &out,
                [
                    task.displayName, TraceTimeText.format(task.lifetime), TraceTimeText.format(task.running),
                    TraceTimeText.format(task.scheduled), TraceTimeText.format(task.suspended), String(task.jobCount),
                    task.outcome, task.error ?? "",
                ],
                numericFrom: 1, numericTo: 5
            )
        }
        out.write("</table>\n")
        writeFailedTasks(timeline, to: &out)
        out.write("</section>\n</div>\n</body>\n</html>\n")
        try out.flushIfNeeded()
    }

    /// Tasks that ended errored or cancelled, with the error or the cancellation's reason, parent and spawn site:
    /// "which task failed and why" readable without hovering over the chart.
    private static func writeFailedTasks(_ timeline: Timeline, to out: inout ByteWriter) {
        let failed = timeline.tasks.indices.filter {
            timeline.tasks[$0].finalState == .errored || timeline.tasks[$0].finalState == .cancelled
        }
        guard !failed.isEmpty else { return }
        let limit = 30
        out.write("<h2>Errored and cancelled tasks</h2>\n<table>\n")
        out.write("<tr><th>task</th><th>outcome</th><th>at</th><th>error or reason</th><th>parent</th><th>spawned at</th></tr>\n")
        for index in failed.prefix(limit) {
            let task = timeline.tasks[index]
            row(
                &out,
                [
                    task.displayName, task.outcome, task.endedAt.map { TraceTimeText.format($0) } ?? "",
                    task.error ?? "", task.parentIndex.map { timeline.tasks[$0].displayName } ?? "",
                    task.spawnSite ?? "",
                ]
            )
        }
        out.write("</table>\n")
        if failed.count > limit {
            out.write("<p>")
            out.writeXMLEscaped("… and \(failed.count - limit) more (see the chart, or the Chrome trace export).")
            out.write("</p>\n")
        }
    }

    /// Meta values as a person reads them: wall-clock times as UTC dates, durations with units; the raw number
    /// stays beside them for queries.
    private static func readableMetaValue(key: String, value: String) -> String {
        guard let number = UInt64(value) else { return value }
        if key.hasSuffix("_unix_ns") { return "\(TraceTimeText.utcDate(fromUnixNanos: number)) (\(value))" }
        if key == MetaKey.durationNs { return "\(TraceTimeText.format(number)) (\(value))" }
        return value
    }

    private static func row(_ out: inout ByteWriter, _ cells: [String], numericFrom: Int = -1, numericTo: Int = -1) {
        out.write("<tr>")
        for (index, cell) in cells.enumerated() {
            out.write(index >= numericFrom && index <= numericTo ? "<td class=\"n\">" : "<td>")
            out.writeXMLEscaped(cell)
            out.write("</td>")
        }
        out.write("</tr>\n")
    }
}
