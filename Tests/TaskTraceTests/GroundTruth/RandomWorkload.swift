import TaskTraceDemo
import TaskTraceModel
@testable import TaskTrace

/// A seeded random async workload whose tasks note what they do in a `FactLog`: spawned tasks, traced and plain
/// task groups, `async let`, yields, sleeps, calls into a shared default actor, busy work, failures, a group whose
/// body throws (its other children are cancelled implicitly) and explicit cancellation.
///
/// The shape (which tasks, which steps) depends only on the seed; the timing is whatever the machine does.
struct RandomWorkload: Sendable {
    let seed: UInt64
    let log: FactLog
    let ledger = Ledger()

    /// The demo's seeded generator (SplitMix64): every task derives its own from its parent's.
    typealias Generator = SplitMix64

    /// A default actor several tasks call at once, so that its jobs are enqueued and its time must be attributed.
    actor Ledger {
        private var entries = 0
        func append(_ log: FactLog, spinMicroseconds: Int) {
            log.note(.actorBegan)
            RandomWorkload.spin(microseconds: spinMicroseconds)
            entries += 1
            log.note(.actorEnded)
        }
    }

    struct PlannedFailure: Error, CustomStringConvertible {
        var index: Int
        var description: String { "planned failure \(index)" }
    }

    static func spin(microseconds: Int) {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: .microseconds(microseconds))
        while clock.now < end {}
    }

    /// The root's body: a handful of top-level tasks of every kind, then waits for them.
    func run(_ runtime: TraceRuntime) async {
        log.attach(runtime)
        log.note(.entered(name: "main", kind: .root, parent: nil))
        var generator = Generator(seed: seed)
        await children(runtime, depth: 0, count: 3 + generator.below(4), generator: &generator)
        log.note(.returned)
    }

    private func children(_ runtime: TraceRuntime, depth: Int, count: Int, generator: inout Generator) async {
        for index in 0..<count {
            let childSeed = generator.next()
            switch generator.below(6) {
            case 0, 1: await spawned(runtime, depth: depth, index: index, seed: childSeed)
            case 2: await tracedGroup(runtime, depth: depth, seed: childSeed)
            case 3: await plainGroup(runtime, depth: depth, seed: childSeed)
            case 4: await asyncLet(runtime, depth: depth, seed: childSeed)
            default: await cancelledWhileSleeping(runtime, index: index)
            }
        }
    }

    /// Runs `steps` and ends as planned, noting how.
    private func body(
        _ runtime: TraceRuntime, name: String?, kind: TaskKind, parent: TraceTaskID?, depth: Int, seed: UInt64,
        mayThrow: Bool
    ) async throws {
        log.note(.entered(name: name, kind: kind, parent: parent))
        var generator = Generator(seed: seed)
        try await steps(runtime, depth: depth, generator: &generator)
        if mayThrow, generator.below(4) == 0 {
            let failure = PlannedFailure(index: Int(seed % 1000))
            log.note(.threw(failure.description))
            throw failure
        }
        log.note(.returned)
    }

    private func steps(_ runtime: TraceRuntime, depth: Int, generator: inout Generator) async throws {
        for _ in 0..<(1 + generator.below(4)) {
            switch generator.below(5) {
            case 0:
                log.note(.awaitBegan(suspends: true))
                await Task.yield()
                log.note(.resumed)
            case 1:
                log.note(.awaitBegan(suspends: true))
                try await Task.sleep(for: .microseconds(200 + generator.below(1500)))
                log.note(.resumed)
            case 2:
                log.note(.awaitBegan(suspends: false))
                await ledger.append(log, spinMicroseconds: 50 + generator.below(300))
                log.note(.resumed)
            case 3:
                Self.spin(microseconds: 20 + generator.below(100))
            default:
                if depth < 2 {
                    await children(runtime, depth: depth + 1, count: 1 + generator.below(2), generator: &generator)
                }
            }
        }
    }

    private func spawned(_ runtime: TraceRuntime, depth: Int, index: Int, seed: UInt64) async {
        let parent = runtime.currentTaskID
        let name = "spawned-\(depth)-\(index)-\(seed % 997)"
        let task = runtime.spawn(name) { [self] in
            try await body(runtime, name: name, kind: .spawned, parent: parent, depth: depth, seed: seed, mayThrow: true)
        }
        log.note(.awaitBegan(suspends: false))
        _ = await task.result
        log.note(.resumed)
    }

    /// A traced group; sometimes its body throws the first child error, so the group cancels the rest.
    private func tracedGroup(_ runtime: TraceRuntime, depth: Int, seed: UInt64) async {
        let parent = runtime.currentTaskID
        var generator = Generator(seed: seed)
        let rethrow = generator.below(3) == 0
        log.note(.awaitBegan(suspends: false))
        do {
            try await runtime.withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<(2 + generator.below(2)) {
                    let name = "group-\(depth)-\(index)-\(seed % 997)"
                    let childSeed = generator.next()
                    let lingers = rethrow && index > 0
                    group.addTask(name: name) { [self] in
                        if lingers {
                            // Outlives the failing sibling; the group's implicit cancellation must end it.
                            try await sleepUntilCancelled(name: name, parent: parent)
                        } else {
                            try await body(
                                runtime, name: name, kind: .groupChild, parent: parent, depth: depth + 1, seed: childSeed,
                                mayThrow: !rethrow
                            )
                            if rethrow {
                                log.note(.threw("planned failure 9999"))
                                throw PlannedFailure(index: 9999)
                            }
                        }
                    }
                }
                if rethrow {
                    // `next()` throws the first child error at once (`waitForAll` would wait for every child).
                    while try await group.next() != nil {}
                } else {
                    while let _ = try? await group.next() {}
                    while !group.isEmpty { _ = try? await group.next() }
                }
            }
        } catch {}
        log.note(.resumed)
    }

    /// A body that sleeps until it is cancelled (30 s at most), noting it.
    private func sleepUntilCancelled(name: String, kind: TaskKind = .groupChild, parent: TraceTaskID?) async throws {
        log.note(.entered(name: name, kind: kind, parent: parent))
        log.note(.awaitBegan(suspends: true))
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            log.note(.resumed)
            log.note(.cancelled)
            throw error
        }
        log.note(.resumed)
        log.note(.returned)
    }

    private func plainGroup(_ runtime: TraceRuntime, depth: Int, seed: UInt64) async {
        let parent = runtime.currentTaskID
        var generator = Generator(seed: seed)
        log.note(.awaitBegan(suspends: false))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<(1 + generator.below(3)) {
                let childSeed = generator.next()
                group.addTask { [self] in
                    try? await body(
                        runtime, name: nil, kind: .groupChild, parent: parent, depth: depth + 1, seed: childSeed,
                        mayThrow: false
                    )
                }
            }
        }
        log.note(.resumed)
    }

    private func asyncLet(_ runtime: TraceRuntime, depth: Int, seed: UInt64) async {
        let parent = runtime.currentTaskID
        async let child: Void? = try? body(
            runtime, name: nil, kind: .asyncLet, parent: parent, depth: depth + 1, seed: seed, mayThrow: false
        )
        log.note(.awaitBegan(suspends: false))
        _ = await child
        log.note(.resumed)
    }

    private func cancelledWhileSleeping(_ runtime: TraceRuntime, index: Int) async {
        let parent = runtime.currentTaskID
        let name = "doomed-\(index)"
        let task = runtime.spawn(name) { [self] in
            try await sleepUntilCancelled(name: name, kind: .spawned, parent: parent)
        }
        log.note(.awaitBegan(suspends: true))
        await Task.yield()
        log.note(.resumed)
        task.cancel(reason: "test cancels it")
        log.note(.awaitBegan(suspends: false))
        _ = await task.result
        log.note(.resumed)
    }
}

extension SplitMix64 {
    /// A number in `0..<bound` by plain remainder (the seeds' workloads were chosen with this reduction).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
