import Synchronization
import TaskTraceModel
@testable import TaskTrace

/// What a test's own tasks say they did, stamped with the recorder's clock: the ground truth a trace is checked
/// against. Facts are taken by the task's code itself, so they do not depend on the deriver or the exporters.
///
/// Thread-safe: facts are appended under a `Mutex`.
final class FactLog: Sendable {
    enum Kind: Sendable, Equatable {
        /// The body started; `name`, `kind` and `parent` are what the spawner asked for.
        case entered(name: String?, kind: TaskKind, parent: TraceTaskID?)
        /// An await begins (`suspends` when it normally suspends: a yield, a sleep — yet even those continue in
        /// the same job when they are resumed before the task finished suspending; job serials tell).
        case awaitBegan(suspends: Bool)
        case resumed
        /// Code isolated to a default actor began and ended (it must show as running for this task).
        case actorBegan, actorEnded
        case returned
        case threw(String)
        case cancelled
    }

    struct Fact: Sendable {
        var task: TraceTaskID
        var kind: Kind
        var time: TraceNanos
        var thread: TraceThreadID
        /// The executor job the code ran in (the worker's job counter): facts in different jobs must fall in
        /// different running segments, facts in one job in the same segment.
        var job: UInt64
    }

    private let facts = Mutex<[Fact]>([])
    private let recorder: Mutex<TraceRecorder?> = Mutex(nil)

    /// Ties the log to the recording whose clock and thread ids the facts use (call first thing in the body).
    func attach(_ runtime: TraceRuntime) { recorder.withLock { $0 = runtime.recorder } }

    /// Records that the calling task did `kind` now, on this thread.
    func note(_ kind: Kind) {
        guard let recorder = recorder.withLock({ $0 }) else { return }
        let time = recorder.buffer.now()
        let fact = Fact(
            task: recorder.currentTask, kind: kind, time: time, thread: recorder.currentThread,
            job: ThreadContext.current.jobSerial
        )
        facts.withLock { $0.append(fact) }
    }

    /// Every fact so far, grouped per task in the order each task noted them.
    var byTask: [TraceTaskID: [Fact]] {
        Dictionary(grouping: facts.withLock { $0 }, by: \.task)
    }
}
