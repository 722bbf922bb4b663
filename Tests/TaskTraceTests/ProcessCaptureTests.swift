#if canImport(Glibc)
import Glibc
#endif
import CTaskTraceHooks
import Synchronization
import Testing
import TaskTraceModel
@testable import TaskTrace

/// `capture: .process`: the tracing executor serves as the global executor while the recording runs.
///
/// The test process's other suites run at the same time, so their global jobs are recorded too: every expectation
/// is about the tasks this test started (found by name, or by parent), never about totals.
@Suite("Whole-process capture", .serialized)
struct ProcessCaptureTests {
    /// What the test's own tasks did, for the expectations.
    private struct Workload: Sendable {
        var tag: String
        var parentName: String { "\(tag) parent" }
        var childName: String { "\(tag) child" }
        var fireName: String { "\(tag) fire-and-forget" }
        var sleeperName: String { "\(tag) sleeper" }
    }

    @Test("Task {} and Task.detached {} are recorded, with parents and readable names", arguments: [1, 4])
    func unstructuredTasks(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        let work = Workload(tag: "capture-\(workers)")
        // The body hands the kept handles out, so they outlive the recording: the runtime cannot free those tasks.
        let handles = try await TaskTrace.record(into: sink, workers: workers, capture: .process) { _ in
            // A named task that starts two more: its name is readable while it enqueues them.
            let parent = Task(name: work.parentName) { () -> Int in
                let child = Task(name: work.childName) { () -> Int in
                    // The child starts a task too, so its own name is readable as well.
                    await Task.detached { 1 }.value + 1
                }
                let detached = Task.detached { 10 }
                return await child.value + detached.value
            }
            // A task whose handle nobody keeps: the runtime frees it at the end of its last job.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Task.detached(name: work.fireName) {
                    Task.detached { continuation.resume() }
                }
            }
            // A task that sleeps: suspended while it sleeps, scheduled again when the sleep ends.
            let sleeper = Task(name: work.sleeperName) { () -> Int in
                await Task.detached { () }.value
                try? await Task.sleep(for: .milliseconds(5))
                return 100
            }
            _ = await (parent.value, sleeper.value)
            return (parent, sleeper)
        }
        #expect(await handles.0.value + handles.1.value == 112)
        TraceAssertions.expectValid(sink)
        #expect(sink.meta[ProcessRecording.captureMetaKey] == "process")
        #expect(ProcessCapture.current == nil)

        let parent = try #require(sink.task(named: work.parentName))
        let child = try #require(sink.task(named: work.childName))
        let root = try #require(sink.task(named: "main"))
        #expect(parent.kind == .unknown)
        #expect(parent.parentID == root.id)  // started from inside the recording's root task
        #expect(child.parentID == parent.id)
        #expect(sink.children(of: parent.id).count == 2)  // the child and the detached task
        #expect(sink.children(of: child.id).count == 1)

        // Kept handles: the tasks finished, but nothing in the runtime says so: they must stay open, not `done`.
        #expect(sink.transitions(of: parent.id).last == .suspended)
        #expect(sink.transitions(of: parent.id).prefix(3) == [.created, .scheduled, .running])

        // The handle-less task: its end is inferred from the runtime freeing it, and marked as inferred.
        let fire = try #require(sink.task(named: work.fireName))
        #expect(sink.transitions(of: fire.id) == TraceAssertions.ranOnce)
        let inferred = sink.marks.filter { $0.taskID == fire.id && $0.kind == MarkKind.inferredOutcome }
        #expect(inferred.count == 1)

        // The sleeper was suspended during its sleep and ran again after it.
        let sleeper = try #require(sink.task(named: work.sleeperName))
        let states = sink.transitions(of: sleeper.id)
        #expect(states.filter { $0 == .running }.count >= 2)
        #expect(!states.contains(.done))

        // Every running segment of these tasks is on one of the recording's workers.
        let workerIDs = Set(sink.threads.filter { $0.kind == .worker }.map(\.id))
        #expect(workerIDs.count == workers)
        let ours: Set<TraceTaskID> = [parent.id, child.id, fire.id, sleeper.id]
        for record in sink.transitions where ours.contains(record.taskID) && record.state == .running {
            #expect(workerIDs.contains(record.threadID))
        }
    }

    @Test("a task whose handle is dropped after its last job ends inferred done, at that job's end", arguments: [1, 4])
    func handleDroppedLater(workers: Int) async throws {
        let sink = InMemoryTraceSink()
        let name = "late-free-\(workers)"
        try await TaskTrace.record(into: sink, workers: workers, capture: .process) { _ in
            var kept: Task<Int, Never>? = Task(name: name) { await Task.detached { 1 }.value }
            // With one worker this resumes only after the task's final job returned, while the handle is held.
            _ = await kept?.value
            kept = nil
        }
        TraceAssertions.expectValid(sink)
        let late = try #require(sink.task(named: name))
        let states = sink.transitions(of: late.id)
        #expect(states.first == .created)
        #expect(states.last == .done)
        let marks = sink.marks.filter { $0.taskID == late.id && $0.kind == MarkKind.inferredOutcome }
        #expect(marks.count == 1)
        if workers == 1 {
            #expect(marks.first?.detail?.contains("by the end of the recording") == true)
        }
        // It ended at the end of its last job, not when the recording ended.
        let lastRunning = sink.transitions.last { $0.taskID == late.id && $0.state == .running }
        let end = sink.transitions.last { $0.taskID == late.id }
        #expect(end.map(\.timestamp) ?? 0 >= lastRunning.map(\.timestamp) ?? 0)
        #expect(end.map(\.timestamp) ?? .max < UInt64(sink.meta[MetaKey.durationNs] ?? "0") ?? 0)
    }

    @Test("a delayed job goes through the delay hook, waits on the timer, then runs and is recorded")
    func delayHook() async throws {
        let sink = InMemoryTraceSink()
        let delayed = DelayingExecutor(nanoseconds: 2_000_000)
        let value = try await TaskTrace.record(into: sink, capture: .process) { _ in
            await Task(name: "delayed", executorPreference: delayed) { () -> Int in
                // Starting a task while running makes this task's name readable.
                await Task.detached { 41 }.value + 1
            }.value
        }
        #expect(value == 42)
        #expect(delayed.handedOver.load(ordering: .relaxed) >= 2)  // its first job and its resume
        TraceAssertions.expectValid(sink)
        let task = try #require(sink.task(named: "delayed"))
        let states = sink.transitions(of: task.id)
        #expect(states.prefix(3) == [.created, .scheduled, .running])
        #expect(states.filter { $0 == .running }.count >= 2)
        // Every running segment is on a recording worker: the timer handed the jobs to the tracing executor.
        let workerIDs = Set(sink.threads.filter { $0.kind == .worker }.map(\.id))
        for record in sink.transitions where record.taskID == task.id && record.state == .running {
            #expect(workerIDs.contains(record.threadID))
        }
    }

    @Test("the hooks are restored: a second capture can install them, and jobs after it are not recorded")
    func hooksRestored() async throws {
        let first = InMemoryTraceSink()
        try await TaskTrace.record(into: first, capture: .process) { _ in
            await Task(name: "first capture") { await Task.detached { () }.value }.value
        }
        #expect(ProcessCapture.current == nil)
        await Task(name: "between captures") { await Task.detached { () }.value }.value
        let second = InMemoryTraceSink()
        try await TaskTrace.record(into: second, capture: .process) { _ in
            await Task(name: "second capture") { await Task.detached { () }.value }.value
        }
        #expect(first.task(named: "first capture") != nil)
        #expect(second.task(named: "second capture") != nil)
        #expect(first.task(named: "between captures") == nil)
        #expect(second.task(named: "between captures") == nil)
        TraceAssertions.expectValid(first)
        TraceAssertions.expectValid(second)
    }

    @Test("executor capture (the default) leaves Task {} alone")
    func executorCaptureIgnoresUnstructured() async throws {
        let sink = InMemoryTraceSink()
        try await TaskTrace.record(into: sink) { _ in
            await Task(name: "unstructured") { await Task.detached { () }.value }.value
        }
        #expect(sink.task(named: "unstructured") == nil)
        #expect(sink.meta[ProcessRecording.captureMetaKey] == nil)
    }
}

/// The timer behind the delayed-enqueue hooks.
@Suite("Delayed job timer")
struct DelayedJobTimerTests {
    @Test("jobs fire in deadline order, whatever the order they were scheduled in")
    func deadlineOrder() async {
        // Fake jobs: the timer never touches a job, it only hands it on.
        let fired = FiredJobs()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let timer = DelayedJobTimer { job in
                let bits = UInt(bitPattern: unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
                let count = fired.list.withLock {
                    $0.append(bits)
                    return $0.count
                }
                if count == 4 { done.resume() }
            }
            // Deadlines 100 ms apart: scheduling the four must not take longer than the gap (it took over 20 ms once
            // with 10 ms gaps, the process descheduled under a full test run, and the first job fired first).
            for (bits, delay) in [(0x30, 300_000_000), (0x10, 100_000_000), (0x20, 200_000_000), (0x11, 100_000_000)] {
                let pointer = UnsafeMutableRawPointer(bitPattern: UInt(bits) << 4)
                let job = unsafeBitCast(pointer, to: UnownedJob.self)
                timer.schedule(job, afterNanoseconds: UInt64(delay))
            }
        }
        #expect(fired.list.withLock { $0 } == [0x100, 0x110, 0x200, 0x300])
    }

    @Test("deadlines on the runtime's clocks become delays; past or unknown ones are due now")
    func deadlineConversion() {
        #expect(DelayedJobTimer.nanoseconds(untilSeconds: 0, nanoseconds: 0, clock: 2) == 0)
        #expect(DelayedJobTimer.nanoseconds(untilSeconds: Int64.max, nanoseconds: 0, clock: 7) == 0)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let wait = DelayedJobTimer.nanoseconds(untilSeconds: Int64(now.tv_sec) + 3600, nanoseconds: 0, clock: 2)
        #expect(wait > 3_000_000_000_000 && wait <= 3_600_000_000_000)
        #expect(DelayedJobTimer.nanoseconds(untilSeconds: Int64.max, nanoseconds: 0, clock: 1) > 0)
    }
}

/// The fake jobs a timer fired, in order.
private final class FiredJobs: Sendable {
    let list = Mutex<[UInt]>([])
}

/// A task executor that hands every job to the runtime's delayed global enqueue, so the job reaches the
/// process-capture delay hook (Swift 6.3's own `Task.sleep` does not use it).
private final class DelayingExecutor: TaskExecutor {
    let nanoseconds: UInt64
    let handedOver = Atomic<Int>(0)

    init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    func enqueue(_ job: consuming ExecutorJob) {
        let pointer = unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self)
        handedOver.add(1, ordering: .relaxed)
        _ = tasktrace_enqueue_global_with_delay(nanoseconds, pointer)
    }
}
