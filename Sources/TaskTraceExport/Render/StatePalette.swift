public import TaskTraceModel

/// The one colour palette every export uses: an sRGB colour per task state, plus the closest colour name from
/// catapult's reserved set (the only values chrome://tracing accepts in `cname`).
///
/// Each state's RGB is exactly the colour catapult draws for its `cname`, so the SVG, the HTML page and
/// chrome://tracing look the same. Perfetto ignores `cname` and picks its own colours.
///
/// Thread-safe (a value type; `standard` is immutable).
public struct StatePalette: Sendable, Hashable {
    /// How one state is drawn.
    public struct Style: Sendable, Hashable {
        /// `#rrggbb`, for SVG and CSS.
        public var hex: String
        /// A reserved catapult colour name, for the Chrome trace's `cname`.
        public var catapultName: String
        /// A text colour readable on `hex`.
        public var textHex: String
    }

    private var styles: [Style]

    /// Style for running segments of the thread lanes' untracked jobs (default actors' jobs).
    public var untrackedJob: Style

    /// The palette of every tasktrace export.
    ///
    /// created `grey`, scheduled `thread_state_runnable` (blue: waits for a thread), running
    /// `thread_state_running` (green), suspended `thread_state_uninterruptible` (muted mauve: awaits something),
    /// done `good`, cancelled `bad`, errored `terrible`.
    public static let standard = StatePalette(
        styles: [
            Style(hex: "#dddddd", catapultName: "grey", textHex: "#000000"),
            Style(hex: "#85a0d2", catapultName: "thread_state_runnable", textHex: "#000000"),
            Style(hex: "#7ec894", catapultName: "thread_state_running", textHex: "#000000"),
            Style(hex: "#b67d8f", catapultName: "thread_state_uninterruptible", textHex: "#000000"),
            Style(hex: "#007d00", catapultName: "good", textHex: "#ffffff"),
            Style(hex: "#b47d00", catapultName: "bad", textHex: "#ffffff"),
            Style(hex: "#b40000", catapultName: "terrible", textHex: "#ffffff"),
        ],
        untrackedJob: Style(hex: "#7d7d7d", catapultName: "generic_work", textHex: "#ffffff")
    )

    /// The style of `state`.
    public subscript(state: TaskState) -> Style { styles[Int(state.rawValue)] }
}
