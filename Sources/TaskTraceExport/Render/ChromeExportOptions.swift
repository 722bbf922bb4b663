/// Choices for `ChromeTraceExporter` that trade completeness of the drawing against the size and readability of
/// big traces.
///
/// By default a parent with more than `defaultFlowFanOutLimit` direct children gets no spawn arrows: 100k arrows
/// from one slice draw one solid wedge in both Perfetto and chrome://tracing and cost ~180 bytes each, while the
/// children's tracks already sit right below their parent (tree order) and name it in their `parent` arg. The
/// parent's first slice says what was left out (`children`, `arrows`). `ChromeExportOptions.allFlows`
/// (`tasktrace export --all-flows`) draws every arrow.
///
/// Two views cost about a third of a big export each and are opt-in (docs/export.md, "What the Chrome JSON leaves
/// out"): `workerLanes` (`--worker-lanes`), the "Threads" process with one track per worker thread, and
/// `stateColors` (`--state-colors`), the `cname` that makes catapult draw each state in the palette of the SVG
/// and HTML views. Without them, the `thread` arg of each running slice says which thread ran it (its name is in
/// `otherData`), and catapult colours slices by their name (Perfetto does so either way).
///
/// Thread-safe (a value type).
public struct ChromeExportOptions: Sendable, Hashable {
    /// The default fan-out limit: a parent with up to 64 children keeps its arrows. 64 tracks are two or three
    /// screens of rows in either viewer, the most over which one parent's arrows can still be followed.
    public static let defaultFlowFanOutLimit = 64

    /// A parent with more direct children (in the exported timeline) than this gets no spawn arrows; nil draws
    /// every arrow.
    public var flowFanOutLimit: Int?

    /// Process 2 "Threads": one track per worker thread with the running slices it ran and its untracked jobs.
    public var workerLanes: Bool

    /// A `cname` on every slice, so catapult draws states in `StatePalette`'s colours (Perfetto ignores it).
    public var stateColors: Bool

    /// - Parameters:
    ///   - flowFanOutLimit: the fan-out above which a parent's spawn arrows are omitted; nil for all.
    ///   - workerLanes: write the per-thread lanes (process 2 "Threads").
    ///   - stateColors: write each slice's `cname`.
    public init(
        flowFanOutLimit: Int? = ChromeExportOptions.defaultFlowFanOutLimit, workerLanes: Bool = false,
        stateColors: Bool = false
    ) {
        self.flowFanOutLimit = flowFanOutLimit
        self.workerLanes = workerLanes
        self.stateColors = stateColors
    }

    /// Every spawn arrow, whatever the fan-out (`tasktrace export --all-flows`).
    public static let allFlows = ChromeExportOptions(flowFanOutLimit: nil)

    /// Everything the exporter can draw: every arrow, the worker lanes and the state colours.
    public static let everything = ChromeExportOptions(flowFanOutLimit: nil, workerLanes: true, stateColors: true)
}
