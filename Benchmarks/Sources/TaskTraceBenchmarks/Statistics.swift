/// Medians: the machines these run on are shared and noisy, so every figure is a median of rounds, and every
/// comparison a median of per-round ratios (both candidates measured in the same round, side by side).
enum Statistics {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Median of `numerator[i] / denominator[i]` over the rounds.
    static func medianRatio(_ numerator: [Double], _ denominator: [Double]) -> Double {
        median(zip(numerator, denominator).map { $0 / $1 })
    }
}
