import Testing

@testable import TaskTrace

/// A worker thread kept for the next recording (`WorkerThreadPool`) must start it like a new thread.
/// Planted once, and caught: `resetForReuse` without `nameCheckedTask` (the review found a task that outlived one
/// process capture losing its name in the next that way).
@Suite struct ThreadContextTests {
    @Test("resetForReuse leaves every field as a new thread's context has it")
    func resetLeavesNothing() {
        let context = ThreadContext()
        context.owner = 7
        context.threadID = 3
        context.currentTask = 11
        context.jobSerial = 5
        context.inUntrackedJob = true
        context.pendingSpawnToken = 13
        context.spawnedTaskID = 17
        context.nameCheckedTask = 19
        context.resetForReuse()
        // Every stored property, by reflection: a field added later without a reset fails here too.
        let fresh = ThreadContext()
        let after = Mirror(reflecting: context).children.map { "\($0.label ?? "?")=\($0.value)" }
        let new = Mirror(reflecting: fresh).children.map { "\($0.label ?? "?")=\($0.value)" }
        #expect(!after.isEmpty)
        #expect(after == new)
    }
}
