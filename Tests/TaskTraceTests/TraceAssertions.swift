import Testing
import TaskTraceModel
@testable import TaskTrace

/// Checks shared by every runtime test: the whole recording obeys the state machine.
enum TraceAssertions {
    /// Every task starts with `created`, follows `canTransition`, and never goes back in time.
    static func expectValid(_ sink: InMemoryTraceSink, sourceLocation: SourceLocation = #_sourceLocation) {
        var validator = TransitionValidator()
        for record in sink.transitions { validator.observe(record) }
        #expect(validator.violations.isEmpty, "\(validator.violations.prefix(5))", sourceLocation: sourceLocation)
        #expect(validator.timeReversals == 0, sourceLocation: sourceLocation)
        // Exact means every integrity counter was written and is zero: nothing dropped, skipped, reordered,
        // rebuilt or late.
        for key in [MetaKey.droppedEvents, MetaKey.skippedEvents, MetaKey.reorderedEvents,
            MetaKey.reconstructedTransitions, MetaKey.lateEvents]
        {
            #expect(sink.meta[key] == "0", "\(key)", sourceLocation: sourceLocation)
        }
        #expect(TraceIntegrity(meta: sink.meta).isExact, sourceLocation: sourceLocation)
        #expect(sink.isFinished, sourceLocation: sourceLocation)
    }

    static let sleptOnce: [TaskState] = [.created, .scheduled, .running, .suspended, .scheduled, .running, .done]
    static let ranOnce: [TaskState] = [.created, .scheduled, .running, .done]
}

/// An error with a recognizable description.
struct SampleError: Error, CustomStringConvertible {
    var description: String { "sample failure 42" }
}
