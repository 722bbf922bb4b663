import TaskTrace

/// A flood: N trivial task-group children (`--tasks N`), started in waves of 10,000 as fast as the executor runs
/// them. Each child is three hot-path events and no API event, so the program produces events far faster than the
/// writer can store them: the recorder must drop and count them (`meta.dropped_events`), keep its memory bounded
/// and never block the program. The program's own memory stays bounded too (one wave in flight). Not in the
/// default set.
enum FloodScenario {
    /// Children in flight at once.
    static let wave = 10_000

    static let scenario = DemoScenario(
        name: "flood",
        summary: "N trivial task-group children as fast as possible (--tasks N): the recorder drops and counts",
        isInDefaultSet: false
    ) { runtime, options in
        var started = 0
        while started < options.loadTasks, !Task.isCancelled {
            let count = min(wave, options.loadTasks - started)
            await withDiscardingTaskGroup { group in
                for _ in 0..<count { group.addTask {} }
            }
            started += count
        }
        runtime.annotate("\(started) children started")
    }
}
