/// How complete and exact a trace is: the recorder's counters of what it could not record or place, read from
/// `meta`. Every view shows the non-zero ones prominently, so nobody debugs with a trace that silently lies.
///
/// - `dropped_events`: hot-path events (enqueue, job start, job end) lost because the buffer was full.
/// - `skipped_events`: events the deriver could not place in a task's life (an illegal transition, an event
///   for a task that had already ended); they are left out of `transitions`, never bent to fit.
/// - `reordered_events`: events whose timestamp was earlier than the task's previous transition; the
///   transition is stored at the previous timestamp (time never runs backwards within a task).
/// - `reconstructed_transitions`: transitions the deriver added from other evidence because the event that
///   carries them was dropped (a job end implied by the next job on the same thread, an end implied by the
///   task's reported outcome); each affected task has an `events_lost` mark.
/// - `late_events`: events that arrived after the recording's last drain (tasks that outlived the recording).
///
/// Thread-safe (a value type).
public struct TraceIntegrity: Sendable, Hashable {
    /// One counter of the trace.
    public struct Counter: Sendable, Hashable {
        /// The `meta` key, e.g. `dropped_events`.
        public var key: String
        public var count: UInt64
        /// One sentence for a person: what the number means for this trace.
        public var meaning: String
    }

    /// Every counter, in a fixed order, zero ones included.
    public var counters: [Counter]

    /// Reads the counters from a trace's `meta` table (a missing key counts as 0).
    public init(meta: [String: String]) {
        counters = Self.definitions.map { key, meaning in
            Counter(key: key, count: meta[key].flatMap(UInt64.init) ?? 0, meaning: meaning)
        }
    }

    /// The counters that are not zero: what a view must show.
    public var problems: [Counter] { counters.filter { $0.count > 0 } }

    /// True when the recorder lost, skipped, reordered and reconstructed nothing.
    public var isExact: Bool { problems.isEmpty }

    /// The value of one counter (0 when unknown).
    public func count(_ key: String) -> UInt64 { counters.first { $0.key == key }?.count ?? 0 }

    /// One line for a summary or a header, e.g. `recorder dropped 12 events; 3 transitions reconstructed`;
    /// nil when the trace is exact.
    public var summary: String? {
        let parts = problems.map { counter -> String in
            switch counter.key {
            case MetaKey.droppedEvents: "recorder dropped \(counter.count) events"
            case MetaKey.skippedEvents: "\(counter.count) events could not be placed"
            case MetaKey.reorderedEvents: "\(counter.count) events arrived out of order"
            case MetaKey.reconstructedTransitions: "\(counter.count) transitions reconstructed"
            case MetaKey.lateEvents: "\(counter.count) events after the recording ended"
            default: "\(counter.key) \(counter.count)"
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private static let definitions: [(String, String)] = [
        (MetaKey.droppedEvents, "events lost because the recorder's buffer was full: the timeline is incomplete"),
        (MetaKey.skippedEvents, "events that did not fit a task's life and were left out"),
        (MetaKey.reorderedEvents, "events stamped earlier than the task's previous transition"),
        (MetaKey.reconstructedTransitions, "transitions rebuilt from other evidence after their event was dropped"),
        (MetaKey.lateEvents, "events from tasks that outlived the recording, not recorded"),
    ]
}
