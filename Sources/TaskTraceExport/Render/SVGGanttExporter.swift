import TaskTraceModel

/// Writes a `Timeline` as a static SVG 1.1 Gantt chart: one row per task in tree order (indented names), one
/// bar per state segment coloured from `StatePalette`, a time axis with ticks in ns/µs/ms/s chosen by the span,
/// a legend, `<title>` tooltips, and markers: a dot/cross/bar where a task ended (done/errored/cancelled), an
/// arrow where an unfinished task runs off the end, a triangle at each cancellation request.
///
/// Segments narrower than a pixel are merged with their neighbours (the merged bar takes the colour of the
/// longest part and its tooltip says how many were merged), so the file size follows the drawing, not the
/// trace. At most `maxRows` tasks are drawn; a note at the bottom says how many were left out.
///
/// Thread-safe (stateless); the `ByteWriter` passed in belongs to the caller.
public enum SVGGanttExporter {
    /// Geometry and limits of the chart.
    public struct Layout: Sendable, Hashable {
        public var width: Double = 1200
        public var labelWidth: Double = 300
        public var rowHeight: Double = 16
        public var maxRows: Int = 2000
        public init() {}
    }

    /// Writes a standalone SVG document (with an XML declaration when `standalone`, for embedding without).
    /// - Throws: whatever `out`'s sink throws.
    public static func write(
        _ timeline: Timeline, to out: inout ByteWriter, layout: Layout = Layout(), palette: StatePalette = .standard,
        standalone: Bool = true, findings: [Finding] = []
    ) throws {
        let rows = min(timeline.tasks.count, layout.maxRows)
        let hidden = timeline.tasks.count - rows
        let plotLeft = layout.labelWidth + 10
        let plotWidth = layout.width - plotLeft - 20
        let top = 84.0
        let rowsBottom = top + Double(rows) * layout.rowHeight
        let height = rowsBottom + (hidden > 0 ? 46 : 26)
        let span = max(timeline.end - timeline.start, 1)
        let scale = plotWidth / Double(span)
        func x(_ t: TraceNanos) -> Double { plotLeft + Double(t >= timeline.start ? t - timeline.start : 0) * scale }

        if standalone { out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") }
        out.write("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
        out.writeFixed1(layout.width)
        out.write("\" height=\"")
        out.writeFixed1(height)
        out.write("\" viewBox=\"0 0 ")
        out.writeFixed1(layout.width)
        out.write(" ")
        out.writeFixed1(height)
        out.write("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n")
        out.write("<title>")
        out.writeXMLEscaped("tasktrace: \(timeline.meta[MetaKey.command] ?? "trace") (\(timeline.tasks.count) tasks)")
        out.write("</title>\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")

        // Header and legend.
        out.write("<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">")
        out.writeXMLEscaped("tasktrace — \(timeline.meta[MetaKey.command] ?? "trace")")
        out.write("</text>\n<text x=\"8\" y=\"34\" fill=\"#444444\">")
        var summary = "\(timeline.tasks.count) tasks, \(timeline.segments.count) segments, \(TraceTimeText.format(span)) shown"
        // Every integrity problem (dropped, skipped, reordered, reconstructed, late events), not only drops.
        if let integrity = timeline.integrity.summary { summary += ", \(integrity)" }
        if timeline.omittedTaskCount > 0 { summary += ", \(timeline.omittedTaskCount) tasks filtered out" }
        if !findings.isEmpty { summary += ", \(findings.count) lint finding\(findings.count == 1 ? "" : "s") (circles: red error, orange warning, blue info)" }
        out.writeXMLEscaped(summary)
        out.write("</text>\n")
        writeLegend(to: &out, palette: palette, y: 44)

        // Axis with ticks and grid lines.
        let unit = TraceTimeText.unit(forSpan: span)
        let step = tickStep(span: span, target: 8)
        out.write("<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n")
        var tick: TraceNanos = 0
        while tick <= span {
            out.write("<line x1=\"")
            out.writeFixed1(x(timeline.start + tick))
            out.write("\" y1=\"")
            out.writeFixed1(top - 6)
            out.write("\" x2=\"")
            out.writeFixed1(x(timeline.start + tick))
            out.write("\" y2=\"")
            out.writeFixed1(rowsBottom)
            out.write("\"/>\n")
            let (next, overflow) = tick.addingReportingOverflow(step)
            if overflow { break }
            tick = next
        }
        out.write("</g>\n<g fill=\"#444444\" text-anchor=\"middle\">\n")
        tick = 0
        while tick <= span {
            out.write("<text x=\"")
            out.writeFixed1(x(timeline.start + tick))
            out.write("\" y=\"")
            out.writeFixed1(top - 9)
            out.write("\">")
            out.writeXMLEscaped(TraceTimeText.format(timeline.start + tick, unit: unit))
            out.write("</text>\n")
            let (next, overflow) = tick.addingReportingOverflow(step)
            if overflow { break }
            tick = next
        }
        out.write("</g>\n")

        let segments = timeline.segments
        for index in 0..<rows {
            let task = timeline.tasks[index]
            let rowTop = top + Double(index) * layout.rowHeight
            let barY = rowTop + 3
            let barHeight = layout.rowHeight - 6
            out.write("<g>\n")
            if index % 2 == 1 {
                out.write("<rect x=\"0\" y=\"")
                out.writeFixed1(rowTop)
                out.write("\" width=\"")
                out.writeFixed1(layout.width)
                out.write("\" height=\"")
                out.writeFixed1(layout.rowHeight)
                out.write("\" fill=\"#f7f7f7\"/>\n")
            }
            // Name, indented by depth, truncated to the label column.
            let indent = 8 + Double(min(task.depth, 16)) * 12
            let maxChars = max(4, Int((layout.labelWidth - indent) / 6.2))
            var label = String(task.displayName.map { $0.isNewline || $0 == "\t" ? " " : $0 })
            if label.count > maxChars { label = String(label.prefix(maxChars - 1)) + "…" }
            out.write("<text x=\"")
            out.writeFixed1(indent)
            out.write("\" y=\"")
            out.writeFixed1(rowTop + layout.rowHeight - 4)
            out.write("\"><title>")
            out.writeXMLEscaped(taskTooltip(task))
            out.write("</title>")
            out.writeXMLEscaped(label)
            out.write("</text>\n")

            var merger = SegmentMerger()
            for row in task.segments {
                let start = segments.starts[row]
                let end = segments.ends[row]
                if let done = merger.add(x0: x(start), x1: x(end), state: segments.states[row], duration: end - start) {
                    writeBar(done, y: barY, height: barHeight, palette: palette, timeline: timeline, to: &out)
                }
            }
            if let last = merger.finish() {
                writeBar(last, y: barY, height: barHeight, palette: palette, timeline: timeline, to: &out)
            }
            writeEndMarker(task, x: task.endedAt.map(x), y: barY, height: barHeight, palette: palette, to: &out)
            out.write("</g>\n")
            try out.flushIfNeeded()
        }

        for mark in timeline.marks {
            guard let taskIndex = mark.taskIndex, taskIndex < rows else { continue }
            let markX = x(mark.timestamp)
            let rowTop = top + Double(taskIndex) * layout.rowHeight
            writeMarkGlyph(isCancelRequest: mark.kind == MarkKind.cancelRequested, x: markX, top: rowTop, to: &out)
            out.write("<title>")
            out.writeXMLEscaped("\(mark.kind.replacingUnderscores()) at \(TraceTimeText.format(mark.timestamp))" + (mark.detail.map { ": \($0)" } ?? ""))
            out.write("</title></g>\n")
        }

        // Findings last, so they sit on top of bars and marks: a circle coloured by severity, the explanation
        // and the fix in its tooltip.
        for finding in findings where finding.taskIndex < rows {
            let time = min(max(finding.time, timeline.start), timeline.end)
            let rowTop = top + Double(finding.taskIndex) * layout.rowHeight
            writeFindingGlyph(finding.severity, x: x(time), y: rowTop + layout.rowHeight / 2, to: &out)
            out.write("<title>")
            out.writeXMLEscaped(
                "\(finding.severity.name) [\(finding.rule.rawValue)] at \(TraceTimeText.format(finding.time)): "
                    + "\(finding.message) Fix: \(finding.suggestion)"
            )
            out.write("</title></g>\n")
        }

        if hidden > 0 {
            out.write("<text x=\"8\" y=\"")
            out.writeFixed1(rowsBottom + 20)
            out.write("\" fill=\"#b40000\" font-weight=\"bold\">")
            out.writeXMLEscaped(
                "\(hidden) more tasks not shown: this chart draws the first \(layout.maxRows) rows in tree order. "
                    + "Use --filter or --from/--to, or the Chrome trace export, to see them."
            )
            out.write("</text>\n")
        }
        out.write("</svg>\n")
        try out.flushIfNeeded()
    }

    /// Opens a `<g>` holding a finding's circle centred at (`x`, `y`): red for errors, orange for warnings, blue
    /// for info, with a white outline so it stands out on any bar; the caller adds a `<title>` and closes it.
    private static func writeFindingGlyph(_ severity: FindingSeverity, x: Double, y: Double, to out: inout ByteWriter) {
        out.write("<g><circle cx=\"")
        out.writeFixed1(x)
        out.write("\" cy=\"")
        out.writeFixed1(y)
        out.write("\" r=\"4.5\" fill=\"")
        switch severity {
        case .error: out.write("#c92a2a")
        case .warning: out.write("#f08c00")
        case .info: out.write("#1c7ed6")
        }
        out.write("\" stroke=\"#ffffff\" stroke-width=\"1\"/>")
    }

    /// A 1-2-5 step giving about `target` ticks over `span` ns.
    static func tickStep(span: TraceNanos, target: UInt64) -> TraceNanos {
        let raw = max(span / max(target, 1), 1)
        var magnitude: TraceNanos = 1
        while magnitude <= raw / 10 { magnitude *= 10 }
        for factor: TraceNanos in [1, 2, 5, 10] where magnitude * factor >= raw {
            return magnitude * factor
        }
        return magnitude * 10
    }

    private static func writeLegend(to out: inout ByteWriter, palette: StatePalette, y: Double) {
        var legendX = 8.0
        for state in TaskState.allCases where !state.isTerminal {
            out.write("<rect x=\"")
            out.writeFixed1(legendX)
            out.write("\" y=\"")
            out.writeFixed1(y)
            out.write("\" width=\"12\" height=\"10\" fill=\"")
            out.writeUnescaped(palette[state].hex)
            out.write("\"/>")
            writeLegendLabel(state.name, x: legendX + 16, y: y, to: &out)
            legendX += 90
        }
        for state in TaskState.allCases where state.isTerminal {
            writeTerminalGlyph(state, x: legendX + 5, y: y, height: 10, palette: palette, to: &out)
            writeLegendLabel(state.name, x: legendX + 16, y: y, to: &out)
            legendX += 90
        }
        writeMarkGlyph(isCancelRequest: true, x: legendX + 5, top: y, to: &out)
        out.write("</g>")
        writeLegendLabel("cancel requested", x: legendX + 16, y: y, to: &out)
        legendX += 130
        writeMarkGlyph(isCancelRequest: false, x: legendX + 5, top: y, to: &out)
        out.write("</g>")
        writeLegendLabel("note (gather, wait, timeout, annotation…)", x: legendX + 16, y: y, to: &out)
        writeLegendLabel("→ unfinished", x: legendX + 280, y: y, to: &out)
    }

    /// One legend label (fixed text, no escaping needed) beside its swatch at the legend's row `y`.
    private static func writeLegendLabel(_ text: String, x: Double, y: Double, to out: inout ByteWriter) {
        out.write("<text x=\"")
        out.writeFixed1(x)
        out.write("\" y=\"")
        out.writeFixed1(y + 9)
        out.write("\">")
        out.writeUnescaped(text)
        out.write("</text>\n")
    }

    /// Opens a `<g>` holding a mark's glyph at `x` on the row starting at `top`; the caller adds a `<title>` and
    /// closes the group. Cancellation requests are orange triangles; every other mark a small grey diamond, so
    /// the runtime's notes (gather, wait, timeout) never read as cancellations.
    private static func writeMarkGlyph(isCancelRequest: Bool, x: Double, top: Double, to out: inout ByteWriter) {
        out.write("<g><polygon points=\"")
        if isCancelRequest {
            for (dx, dy) in [(-4.0, 0.0), (4.0, 0.0), (0.0, 7.0)] {
                out.writeFixed1(x + dx)
                out.write(",")
                out.writeFixed1(top + dy)
                out.write(" ")
            }
            out.write("\" fill=\"#e8590c\" stroke=\"#000000\" stroke-width=\"0.5\"/>")
        } else {
            for (dx, dy) in [(0.0, 0.0), (3.0, 3.0), (0.0, 6.0), (-3.0, 3.0)] {
                out.writeFixed1(x + dx)
                out.write(",")
                out.writeFixed1(top + dy)
                out.write(" ")
            }
            out.write("\" fill=\"#868e96\" stroke=\"#343a40\" stroke-width=\"0.5\"/>")
        }
    }

    private static func writeBar(
        _ bar: SegmentMerger.Bar, y: Double, height: Double, palette: StatePalette, timeline: Timeline,
        to out: inout ByteWriter
    ) {
        out.write("<rect x=\"")
        out.writeFixed1(bar.x0)
        out.write("\" y=\"")
        out.writeFixed1(y)
        out.write("\" width=\"")
        out.writeFixed1(max(bar.x1 - bar.x0, 0.3))
        out.write("\" height=\"")
        out.writeFixed1(height)
        out.write("\" fill=\"")
        out.writeUnescaped(palette[bar.state].hex)
        out.write("\"><title>")
        if bar.count == 1 {
            out.writeUnescaped("\(bar.state.name) \(TraceTimeText.format(bar.duration))")
        } else {
            out.writeUnescaped("\(bar.count) segments merged (mostly \(bar.state.name)), \(TraceTimeText.format(bar.duration))")
        }
        out.write("</title></rect>\n")
    }

    private static func writeEndMarker(
        _ task: TimelineTask, x: Double?, y: Double, height: Double, palette: StatePalette, to out: inout ByteWriter
    ) {
        guard let x, let final = task.finalState else { return }
        if task.isUnfinished {
            out.write("<text x=\"")
            out.writeFixed1(x + 2)
            out.write("\" y=\"")
            out.writeFixed1(y + height - 1)
            out.write("\" fill=\"#444444\"><title>")
            out.writeXMLEscaped("unfinished: still \(final.name) when the trace ended")
            out.write("</title>→</text>\n")
            return
        }
        out.write("<g><title>")
        var text = "\(final.name) at \(TraceTimeText.format(task.endedAt ?? 0))"
        if let error = task.error { text += ": \(error)" }
        out.writeXMLEscaped(text)
        out.write("</title>")
        writeTerminalGlyph(final, x: x, y: y, height: height, palette: palette, to: &out)
        out.write("</g>\n")
    }

    /// done: a dot; cancelled: a thick bar; errored: a cross. Centred on `x`.
    private static func writeTerminalGlyph(
        _ state: TaskState, x: Double, y: Double, height: Double, palette: StatePalette, to out: inout ByteWriter
    ) {
        let colour = palette[state].hex
        switch state {
        case .errored:
            out.write("<path d=\"M")
            out.writeFixed1(x - 4)
            out.write(" ")
            out.writeFixed1(y)
            out.write(" L")
            out.writeFixed1(x + 4)
            out.write(" ")
            out.writeFixed1(y + height)
            out.write(" M")
            out.writeFixed1(x + 4)
            out.write(" ")
            out.writeFixed1(y)
            out.write(" L")
            out.writeFixed1(x - 4)
            out.write(" ")
            out.writeFixed1(y + height)
            out.write("\" stroke=\"")
            out.writeUnescaped(colour)
            out.write("\" stroke-width=\"2\" fill=\"none\"/>")
        case .cancelled:
            out.write("<rect x=\"")
            out.writeFixed1(x - 1.5)
            out.write("\" y=\"")
            out.writeFixed1(y - 1)
            out.write("\" width=\"3\" height=\"")
            out.writeFixed1(height + 2)
            out.write("\" fill=\"")
            out.writeUnescaped(colour)
            out.write("\"/>")
        default:
            out.write("<circle cx=\"")
            out.writeFixed1(x)
            out.write("\" cy=\"")
            out.writeFixed1(y + height / 2)
            out.write("\" r=\"3\" fill=\"")
            out.writeUnescaped(colour)
            out.write("\"/>")
        }
    }

    private static func taskTooltip(_ task: TimelineTask) -> String {
        var lines = [task.displayName, "kind: \(task.kind.rawValue)"]
        if let parent = task.parentID { lines.append("parent: #\(parent)") }
        if let site = task.spawnSite { lines.append("spawned at \(site)") }
        lines.append("outcome: \(task.outcome), lifetime \(TraceTimeText.format(task.lifetime))")
        lines.append("running \(TraceTimeText.format(task.running)) in \(task.jobCount) jobs, scheduled \(TraceTimeText.format(task.scheduled)), suspended \(TraceTimeText.format(task.suspended))")
        if let error = task.error { lines.append("error: \(error)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
