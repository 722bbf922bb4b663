import TaskTrace

/// N trivial tasks, for scale and benchmarks (`--tasks N`); not in the default set.
enum LoadScenario {
    static let scenario = DemoScenario(
        name: "load",
        summary: "N trivial tasks (--tasks N, default 10,000) for scale and benchmarks",
        isInDefaultSet: false
    ) { runtime, options in
        let tasks = (0..<options.loadTasks).map { index in
            runtime.spawn("load-\(index)") { index }
        }
        let results = await runtime.gatherResults(tasks)
        let succeeded = results.count { if case .success = $0 { true } else { false } }
        runtime.annotate("\(succeeded) of \(tasks.count) trivial tasks done")
    }
}
