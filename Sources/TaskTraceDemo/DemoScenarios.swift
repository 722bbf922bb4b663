/// The registry of built-in demo scenarios, in the order the demo runs them.
///
/// Thread-safe (immutable values).
public enum DemoScenarios {
    /// Every scenario, default set first in run order, then those run only on request.
    public static let all: [DemoScenario] = [
        BasicScenarios.coroutine,
        BasicScenarios.createTask,
        BasicScenarios.manyTasks,
        BasicScenarios.gather,
        WaitScenarios.waitAll,
        WaitScenarios.waitFirstCompleted,
        WaitScenarios.waitFirstException,
        WaitScenarios.waitForTimeout,
        WaitScenarios.shield,
        BlockingScenario.scenario,
        ErrorScenarios.exceptions,
        ErrorScenarios.cancellation,
        ErrorScenarios.commonErrors,
        CrawlerScenario.scenario,
        LoadScenario.scenario,
        FloodScenario.scenario,
        ExitScenario.scenario,
    ]

    /// The scenarios `tasktrace record demo` runs without `--scenario`, in run order.
    public static var defaultSet: [DemoScenario] { all.filter(\.isInDefaultSet) }

    /// The scenario called `name`, or nil.
    public static func named(_ name: String) -> DemoScenario? {
        all.first { $0.name == name }
    }

    /// The names of every scenario, in run order.
    public static var names: [String] { all.map(\.name) }
}
