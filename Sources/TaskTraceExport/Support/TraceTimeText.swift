public import TaskTraceModel

/// Parses and formats durations in nanoseconds with units (`1.5ms`, `200us`, `2s`, plain = ns).
///
/// Thread-safe (stateless).
public enum TraceTimeText {
    /// Parses `1.5ms`, `200us`, `200µs`, `2s`, `350ns` or a plain number of nanoseconds.
    /// Returns nil for anything else (negative, empty, unknown unit, too large).
    public static func parseNanos(_ text: String) -> TraceNanos? {
        let trimmed = text.filter { $0 != " " }
        var number = Substring(trimmed)
        var unit = Substring("")
        if let firstLetter = trimmed.firstIndex(where: { !$0.isNumber && $0 != "." }) {
            number = trimmed[..<firstLetter]
            unit = trimmed[firstLetter...]
        }
        let scale: UInt64
        switch unit.lowercased() {
        case "", "ns": scale = 1
        case "us", "µs", "μs": scale = 1_000
        case "ms": scale = 1_000_000
        case "s": scale = 1_000_000_000
        default: return nil
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard !number.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        guard let whole = parts[0].isEmpty ? 0 : UInt64(parts[0]) else { return nil }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        var result = scaled
        if parts.count == 2 {
            let fraction = parts[1]
            guard !(parts[0].isEmpty && fraction.isEmpty) else { return nil }
            var place = scale
            for digit in fraction {
                guard let value = digit.wholeNumberValue else { return nil }
                place /= 10
                let (sum, overflow) = result.addingReportingOverflow(UInt64(value) * place)
                guard !overflow else { return nil }
                result = sum
            }
        }
        // Nothing in a trace lies beyond `TraceFormat.maxTimestamp` (146 years): a larger time is a typo.
        guard result <= TraceFormat.maxTimestamp else { return nil }
        return result
    }

    /// The unit that suits a span: `ns` below 10 µs, `µs` below 10 ms, `ms` below 10 s, else `s`.
    public static func unit(forSpan span: TraceNanos) -> (name: String, nanos: UInt64) {
        if span < 10_000 { return ("ns", 1) }
        if span < 10_000_000 { return ("µs", 1_000) }
        if span < 10_000_000_000 { return ("ms", 1_000_000) }
        return ("s", 1_000_000_000)
    }

    /// `nanos` in `unit`, with up to `decimals` decimals and trailing zeros trimmed: `1.5ms`.
    public static func format(_ nanos: TraceNanos, unit: (name: String, nanos: UInt64), decimals: Int = 3) -> String {
        var factor: UInt64 = 1
        for _ in 0..<decimals { factor *= 10 }
        // Round to `decimals` places of `unit` in integer arithmetic.
        let scaledDivisor = max(unit.nanos / factor, 1)
        let effectiveFactor = unit.nanos / scaledDivisor
        let rounded = nanos / scaledDivisor + (nanos % scaledDivisor >= (scaledDivisor + 1) / 2 ? 1 : 0)
        let whole = rounded / effectiveFactor
        let fraction = rounded % effectiveFactor
        var text = String(whole)
        if fraction > 0 {
            var digits = String(fraction)
            let width = String(effectiveFactor).count - 1
            digits = String(repeating: "0", count: max(0, width - digits.count)) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + unit.name
    }

    /// `nanos` in the largest unit it reaches: `1.5ms`, `250µs`, `3s`.
    public static func format(_ nanos: TraceNanos) -> String {
        let unit: (name: String, nanos: UInt64) =
            nanos < 1_000 ? ("ns", 1) : nanos < 1_000_000 ? ("µs", 1_000) : nanos < 1_000_000_000 ? ("ms", 1_000_000) : ("s", 1_000_000_000)
        return format(nanos, unit: unit)
    }

    /// `2026-11-25 04:21:53.254 UTC`, computed without Foundation (days-from-civil, Howard Hinnant's algorithm).
    public static func utcDate(fromUnixNanos nanos: UInt64) -> String {
        let totalSeconds = Int64(nanos / 1_000_000_000)
        let millis = Int(nanos / 1_000_000 % 1_000)
        let days = totalSeconds / 86_400
        let secondsOfDay = Int(totalSeconds % 86_400)
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(Int(month)))-\(two(Int(day))) \(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60))"
            + ":\(two(secondsOfDay % 60)).\(millisText) UTC"
    }
}
