import TaskTraceModel
import Testing

@Suite("Task state machine")
struct TaskStateTests {
    @Test("exactly the documented transitions are legal")
    func legalTransitions() {
        let legal: Set<String> = [
            "created>scheduled", "created>cancelled", "scheduled>running", "running>suspended", "running>done",
            "running>cancelled", "running>errored", "suspended>scheduled",
        ]
        for from in TaskState.allCases {
            for to in TaskState.allCases {
                #expect(from.canTransition(to: to) == legal.contains("\(from.name)>\(to.name)"), "\(from) -> \(to)")
            }
        }
    }

    @Test("names round-trip and stored codes never change")
    func namesAndCodes() {
        #expect(TaskState.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
        for state in TaskState.allCases { #expect(TaskState(name: state.name) == state) }
        #expect(TaskState(name: "sleeping") == nil)
        #expect(TaskState.allCases.filter(\.isTerminal) == [.done, .cancelled, .errored])
    }

    @Test("the validator flags illegal sequences, a missing created, and time going backwards")
    func validator() {
        var validator = TransitionValidator()
        validator.observe(TransitionRecord(taskID: 1, timestamp: 1, state: .created))
        validator.observe(TransitionRecord(taskID: 1, timestamp: 2, state: .running))  // skipped scheduled
        validator.observe(TransitionRecord(taskID: 2, timestamp: 3, state: .scheduled))  // no created
        validator.observe(TransitionRecord(taskID: 3, timestamp: 5, state: .created))
        validator.observe(TransitionRecord(taskID: 3, timestamp: 4, state: .scheduled))  // backwards
        #expect(validator.violations.map(\.taskID) == [1, 2])
        #expect(validator.timeReversals == 1)
        #expect(validator.unfinishedTasks == [1, 2, 3])
    }
}
