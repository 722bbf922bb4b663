/// Writing an integer's decimal digits straight into memory reserved for them: what the trace store's JSON batches
/// (`JobBatchEncoding`) and the exporters' `ByteWriter` both write most. One place, so both get the same fast path:
/// the digit count first (the room to reserve), then the digits from the last one back, two per 64-bit division
/// (the pair split with a small division the compiler turns into a multiply). Thread-safe (stateless).
public enum DecimalDigits {
    /// The number of decimal digits of `value` (1 for 0).
    @inlinable
    public static func count(_ value: UInt64) -> Int {
        var count = 1
        var limit: UInt64 = 10
        while value >= limit {
            count &+= 1
            // 10^19 is the largest power of ten a UInt64 holds: a value at or above it has 20 digits.
            if count == 20 { break }
            limit &*= 10
        }
        return count
    }

    /// Writes `value`'s `count` decimal digits (`count(value)`) at `target`.
    @inlinable
    public static func store(_ value: UInt64, count: Int, at target: UnsafeMutablePointer<UInt8>) {
        var rest = value
        var end = count
        while end >= 2 {
            let pair = UInt8(truncatingIfNeeded: rest % 100)
            rest /= 100
            end &-= 2
            let tens = pair / 10
            target[end] = UInt8(ascii: "0") &+ tens
            target[end &+ 1] = UInt8(ascii: "0") &+ (pair &- tens &* 10)
        }
        if end == 1 { target[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest) }
    }
}
