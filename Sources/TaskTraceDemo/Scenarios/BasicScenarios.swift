import TaskTrace

/// The first concepts: coroutines, `create_task`, many tasks at once, `gather`.
enum BasicScenarios {
    /// Two coroutines awaited one after the other inside the scenario task: no new task, just suspensions.
    static let coroutine = DemoScenario(
        name: "coroutine",
        summary: "a coroutine awaited: the task suspends while it sleeps, then resumes with its value"
    ) { runtime, _ in
        let first = try await say("hello", afterMilliseconds: 30)
        let second = try await say("world", afterMilliseconds: 40)
        runtime.annotate("coroutines returned \"\(first)\" then \"\(second)\"")
    }

    /// A task created, scheduled and awaited, with a done callback.
    static let createTask = DemoScenario(
        name: "create-task",
        summary: "a task created, scheduled and awaited, with a done callback"
    ) { runtime, _ in
        let callbackSaw = ResultBox()
        let greeter = runtime.spawn("say-after") {
            try await say("hello from a task", afterMilliseconds: 40)
        }
        greeter.onDone { result in
            switch result {
            case .success(let text): callbackSaw.set("done callback got \"\(text)\"")
            case .failure(let error): callbackSaw.set("done callback got error \(error)")
            }
        }
        runtime.annotate("created say-after; it runs while this task waits for it")
        _ = try await greeter.value
        // The callback runs when the task ends, possibly a moment after the await above returns.
        for _ in 0..<50 where callbackSaw.value == nil {
            try await DemoClock.sleep(milliseconds: 1)
        }
        runtime.annotate(callbackSaw.value ?? "done callback has not run yet")
    }

    /// Ten tasks started together and listed while they run (asyncio's `all_tasks()`).
    static let manyTasks = DemoScenario(
        name: "many-tasks",
        summary: "10 tasks started together and listed while they run"
    ) { runtime, options in
        var random = options.random(for: "many-tasks")
        let delays = (1...10).map { _ in random.int(in: 20...80) }
        let workers = delays.enumerated().map { index, delay in
            runtime.spawn("worker-\(index + 1)") {
                try await DemoClock.sleep(milliseconds: delay)
                return index + 1
            }
        }
        for _ in 0..<3 {
            let running = workers.filter { !$0.isDone }.map(\.name)
            runtime.annotate(
                "\(running.count) of \(workers.count) tasks still running: \(running.joined(separator: ", "))")
            try await DemoClock.sleep(milliseconds: 25)
        }
        let finished = try await runtime.gather(workers)
        runtime.annotate("all \(finished.count) tasks finished")
    }

    /// Ten coroutines run concurrently with `gather`, results in order; then a gather with a failing task, whose
    /// error reaches the awaiter at once while (as in asyncio) its siblings keep running and finish.
    static let gather = DemoScenario(
        name: "gather",
        summary: "gather: 10 coroutines concurrently, results in order; a failing gather whose siblings finish"
    ) { runtime, options in
        var random = options.random(for: "gather")
        let delays = (1...10).map { _ in random.int(in: 10...80) }
        let squares = delays.enumerated().map { index, delay in
            runtime.spawn("square-\(index + 1)") {
                try await DemoClock.sleep(milliseconds: delay)
                return (index + 1) * (index + 1)
            }
        }
        let results = try await runtime.gather(squares)
        runtime.annotate("gather returned \(results.map(String.init).joined(separator: ", "))")

        let lookups = (1...3).map { index in
            runtime.spawn("lookup-\(index)") {
                try await DemoClock.sleep(milliseconds: 20 * index)
                if index == 1 { throw DemoError.httpStatus(404, url: "/users/\(index)") }
                return index
            }
        }
        do {
            _ = try await runtime.gather(lookups)
        } catch {
            runtime.annotate("gather raised \(error); its other tasks keep running")
        }
        let rest = await runtime.gatherResults(lookups)
        runtime.annotate("later: \(rest.filter { (try? $0.get()) != nil }.count) of 3 lookups finished")
    }

    /// A coroutine: sleeps, then returns `text`.
    private static func say(_ text: String, afterMilliseconds delay: Int) async throws -> String {
        try await DemoClock.sleep(milliseconds: delay)
        return text
    }
}
