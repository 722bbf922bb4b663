import Synchronization
public import TaskTraceModel
public import TaskTraceStore

/// Keeps everything in memory, for tests. Thread-safe: every accessor takes one internal lock and returns a copy.
///
/// Task rows are merged like the SQLite store does: a later row for the same id fills in what an earlier one
/// lacked (name, parent, site, error), and a kind other than `unknown` wins.
public final class InMemoryTraceSink: TraceSink {
    private struct State {
        var transitions: [TransitionRecord] = []
        var taskOrder: [TraceTaskID] = []
        var tasks: [TraceTaskID: TaskRecord] = [:]
        var threads: [ThreadRecord] = []
        var marks: [MarkRecord] = []
        var untrackedJobs: [UntrackedJobRecord] = []
        var meta: [String: String] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    public init() {}

    public func begin(meta: [String: String]) throws {
        state.withLock { state in state.meta.merge(meta) { _, new in new } }
    }

    public func write(_ batch: TraceBatch) throws {
        state.withLock { state in
            state.transitions.append(contentsOf: batch.transitions)
            for task in batch.tasks {
                if let existing = state.tasks[task.id] {
                    state.tasks[task.id] = existing.merging(task)
                } else {
                    state.tasks[task.id] = task
                    state.taskOrder.append(task.id)
                }
            }
            for thread in batch.threads {
                if let index = state.threads.firstIndex(where: { $0.id == thread.id }) {
                    state.threads[index] = thread
                } else {
                    state.threads.append(thread)
                }
            }
            state.marks.append(contentsOf: batch.marks)
            state.untrackedJobs.append(contentsOf: batch.untrackedJobs)
        }
    }

    public func finish(meta: [String: String]) throws {
        state.withLock { state in
            state.meta.merge(meta) { _, new in new }
            state.finished = true
        }
    }

    /// Every transition, in recorded order.
    public var transitions: [TransitionRecord] { state.withLock { $0.transitions } }
    /// Every task, merged, in order of first appearance.
    public var tasks: [TaskRecord] { state.withLock { state in state.taskOrder.compactMap { state.tasks[$0] } } }
    public var threads: [ThreadRecord] { state.withLock { $0.threads } }
    public var marks: [MarkRecord] { state.withLock { $0.marks } }
    public var untrackedJobs: [UntrackedJobRecord] { state.withLock { $0.untrackedJobs } }
    public var meta: [String: String] { state.withLock { $0.meta } }
    /// True once `finish(meta:)` was called.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// The states task `task` went through, in order.
    public func transitions(of task: TraceTaskID) -> [TaskState] {
        state.withLock { state in state.transitions.filter { $0.taskID == task }.map(\.state) }
    }

    /// The first task with that name.
    public func task(named name: String) -> TaskRecord? { tasks(named: name).first }

    /// Every task with that name, in order of first appearance.
    public func tasks(named name: String) -> [TaskRecord] { tasks.filter { $0.name == name } }

    /// The task with that id.
    public func task(id: TraceTaskID) -> TaskRecord? { state.withLock { $0.tasks[id] } }

    /// The tasks whose parent is `parent`, in order of first appearance.
    public func children(of parent: TraceTaskID) -> [TaskRecord] { tasks.filter { $0.parentID == parent } }
}
