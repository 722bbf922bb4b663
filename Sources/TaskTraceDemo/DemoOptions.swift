/// Knobs shared by every scenario.
///
/// Thread-safe (a value type).
public struct DemoOptions: Sendable, Hashable {
    /// Seeds every scenario's random sleeps and failures; the same seed gives the same shape.
    public var seed: UInt64
    /// How many trivial tasks the `load` scenario starts.
    public var loadTasks: Int

    /// - Parameters:
    ///   - seed: seed of the scenarios' random numbers.
    ///   - loadTasks: task count of the `load` scenario (at least 1).
    public init(seed: UInt64 = 42, loadTasks: Int = 10_000) {
        self.seed = seed
        self.loadTasks = max(1, loadTasks)
    }

    /// A generator for one scenario: seeded from `seed` and the scenario's name, so a scenario run alone
    /// draws the same numbers as in the full demo.
    public func random(for scenario: String) -> SplitMix64 {
        // FNV-1a: a stable hash (Swift's Hasher is randomly seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in scenario.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return SplitMix64(seed: seed ^ hash)
    }
}
