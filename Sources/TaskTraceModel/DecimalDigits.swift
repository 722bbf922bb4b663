/// Writing an integer's decimal digits straight into memory reserved for them: what the trace store's JSON batches
/// (`JobBatchEncoding`) and the exporters' `ByteWriter` both write most. One place, so both get the same fast path:
/// the digit count first (the room to reserve), then the digits from the last one back, two per 64-bit division
/// (each pair copied from a table of the hundred pairs). Thread-safe (stateless).
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
        // "00" "01" … "99": a pair of digits is one two-byte copy from here (a constant in the binary) instead of a
        // division by ten and a multiply-subtract.
        let pairs = UnsafeRawPointer(("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899" as StaticString).utf8Start)
        let out = UnsafeMutableRawPointer(target)
        var rest = value
        var end = count
        while end >= 2 {
            let pair = Int(truncatingIfNeeded: rest % 100)
            rest /= 100
            end &-= 2
            out.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: pair &* 2, as: UInt16.self), toByteOffset: end, as: UInt16.self)
        }
        if end == 1 { target[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest) }
    }
}
