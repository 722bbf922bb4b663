// An ordinary program using Swift concurrency: Task {}, Task.detached {}, the main actor and Task.sleep.
// It does not import tasktrace. It prints what it started, so a check can compare the trace with it.
#if canImport(Glibc)
import Glibc
#endif

/// Pretends to fetch a page: sleeps, then returns its size.
func fetch(_ page: Int) async -> Int {
    try? await Task.sleep(for: .milliseconds(10 * page))
    return page * 100
}

actor Tally {
    private(set) var total = 0
    func add(_ amount: Int) { total += amount }
}

let tally = Tally()
// Unstructured tasks, started from the main actor (top-level code), so their first job runs there too.
let fetches = (1...3).map { page in
    Task(name: "fetch \(page)") {
        await Task.yield()
        let size = await fetch(page)
        await tally.add(size)
    }
}
// A detached task that nobody keeps a handle to: it ends on its own.
Task.detached(name: "cleanup") {
    try? await Task.sleep(for: .milliseconds(5))
    Task.detached { print("cleanup: done") }
}
// Main-actor work started from a detached task.
let report = Task.detached(name: "report") {
    await Task.yield()
    await MainActor.run { print("main actor: reporting") }
    // A task started from inside a named task: the runtime shows the starter's name to the enqueue of this one.
    await Task(name: "report detail") { await Task.yield() }.value
}
for fetch in fetches { await fetch.value }
await report.value
try? await Task.sleep(for: .milliseconds(20))
let named = "fetch 1, fetch 2, fetch 3, cleanup, report, report detail"
print("started 7 tasks (named: \(named); 1 unnamed); total \(await tally.total)")

// `--exit-code N` ends the program with exit(N), `--terminate` with SIGTERM and `--interrupt` with SIGINT (as
// Ctrl-C would), so a check can see how the program ended come back through tasktrace.
let arguments = CommandLine.arguments
for (flag, signalNumber) in [("--terminate", SIGTERM), ("--interrupt", SIGINT)] where arguments.contains(flag) {
    kill(getpid(), signalNumber)
    while true { pause() }
}
if let flag = arguments.firstIndex(of: "--exit-code"), flag + 1 < arguments.count,
    let code = Int32(arguments[flag + 1])
{
    exit(code)
}
