/// Choices for `ChromeTraceExporter` that trade completeness of the drawing against the size and readability of
/// big traces.
///
/// By default a parent with more than `defaultFlowFanOutLimit` direct children gets no spawn arrows: 100k arrows
/// from one slice draw one solid wedge in both Perfetto and chrome://tracing and cost ~180 bytes each, while the
/// children's tracks already sit right below their parent (tree order) and name it in their `parent` arg. The
/// parent's first slice says what was left out (`children`, `arrows`). `ChromeExportOptions.allFlows`
/// (`tasktrace export --all-flows`) draws every arrow.
///
/// Thread-safe (a value type).
public struct ChromeExportOptions: Sendable, Hashable {
    /// The default fan-out limit: a parent with up to 64 children keeps its arrows. 64 tracks are two or three
    /// screens of rows in either viewer, the most over which one parent's arrows can still be followed.
    public static let defaultFlowFanOutLimit = 64

    /// A parent with more direct children (in the exported timeline) than this gets no spawn arrows; nil draws
    /// every arrow.
    public var flowFanOutLimit: Int?

    /// - Parameter flowFanOutLimit: the fan-out above which a parent's spawn arrows are omitted; nil for all.
    public init(flowFanOutLimit: Int? = ChromeExportOptions.defaultFlowFanOutLimit) {
        self.flowFanOutLimit = flowFanOutLimit
    }

    /// Every spawn arrow, whatever the fan-out (`tasktrace export --all-flows`).
    public static let allFlows = ChromeExportOptions(flowFanOutLimit: nil)
}
