/// A small, fast, seeded random number generator (SplitMix64), so demo runs are reproducible.
///
/// The same seed always yields the same sequence, on every platform and Swift version: the helpers below
/// do their own range reduction instead of relying on the standard library's algorithms.
///
/// ```swift
/// var random = SplitMix64(seed: 42)
/// let delay = random.int(in: 10...50)
/// ```
///
/// Not thread-safe: a mutable value; give each task its own copy.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// - Parameter seed: any value; 0 is fine.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }

    /// A number in `range` (multiply-shift reduction; its bias is far below anything a demo can see).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }
        let scaled = next().multipliedFullWidth(by: span).high
        return range.lowerBound + Int(scaled)
    }

    /// True with probability `probability` (0...1).
    public mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < probability
    }
}
