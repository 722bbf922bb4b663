import Synchronization
import TaskTraceModel

/// Process capture: the unstructured tasks whose last recorded job ended while the task object was still alive
/// (someone kept its handle), each with the weak reference taken before that job (`TaskEvidence.LifetimeWatch`).
///
/// If such a task is freed later, the runtime is done with it, so the job whose end the deriver is holding was its
/// last: `sweep` reports those as finished (inferred). A task that runs again simply gets a fresh watch.
/// Memory: one small entry per unstructured task still alive at its last job end. Thread-safe (a `Mutex`).
final class TaskLifetimeRegistry: Sendable {
    private let watches = Mutex<[TraceTaskID: TaskEvidence.LifetimeWatch]>([:])

    /// The task's job ended with the task alive: remember the watch (replacing an older one).
    func keep(_ task: TraceTaskID, _ watch: TaskEvidence.LifetimeWatch) {
        watches.withLock { $0[task] = watch }
    }

    /// The task was freed at a job end: nothing left to watch.
    func forget(_ task: TraceTaskID) {
        _ = watches.withLock { $0.removeValue(forKey: task) }
    }

    /// Removes and returns the tasks freed since their last job, in id order.
    func sweep() -> [(task: TraceTaskID, watch: TaskEvidence.LifetimeWatch)] {
        watches.withLock { watches in
            let freed = watches.filter { $0.value.taskFreed }.sorted { $0.key < $1.key }
            for (task, _) in freed { watches.removeValue(forKey: task) }
            return freed.map { (task: $0.key, watch: $0.value) }
        }
    }
}
