import TaskTrace

/// N trivial tasks, for scale and benchmarks (`--tasks N`); not in the default set.
enum LoadScenario {
    static let scenario = DemoScenario(
        name: "load",
        summary: "N trivial tasks (--tasks N, default 10,000) for scale and benchmarks",
        isInDefaultSet: false
    ) { runtime, options in
        var tasks: [SpawnedTask<Int>] = []
        tasks.reserveCapacity(options.loadTasks)
        // Stops spawning when cancelled (an interrupted recording); the tasks already spawned still finish.
        for index in 0..<options.loadTasks where !Task.isCancelled {
            tasks.append(runtime.spawn("load-\(index)") { index })
        }
        let results = await runtime.gatherResults(tasks)
        let succeeded = results.count { if case .success = $0 { true } else { false } }
        runtime.annotate("\(succeeded) of \(tasks.count) trivial tasks done")
    }
}
