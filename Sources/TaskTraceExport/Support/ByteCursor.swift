public import TaskTraceModel

/// A write position inside room a `ByteWriter` made for one event (`ByteWriter.withCursor(reserving:_:)`): its
/// writes are plain stores, checked only against the end of that room (writing past it traps; nothing is
/// overwritten). A hot event written through one cursor pays one room check and one buffer access, instead of one
/// per literal and number.
///
/// Not thread-safe; valid only inside the `withCursor` call that made it.
public struct ByteCursor {
    @usableFromInline var position: UnsafeMutablePointer<UInt8>
    @usableFromInline let end: UnsafeMutablePointer<UInt8>

    @inlinable
    init(start: UnsafeMutablePointer<UInt8>, end: UnsafeMutablePointer<UInt8>) {
        self.position = start
        self.end = end
    }

    /// Room a decimal `UInt64` can need.
    public static let maxDecimalBytes = 20
    /// Room `writeMicros(fromNanos:)` can need: the whole µs of a `UInt64` of ns (17 digits), `.`, 3 decimals.
    public static let maxMicrosBytes = 21

    /// Moves past `count` bytes after checking they are inside the room; returns where they start.
    @inlinable
    mutating func claim(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(count <= end - position, "ByteCursor: more bytes written than reserved")
        let start = position
        position += count
        return start
    }

    /// Writes a literal.
    @inlinable
    public mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write(buffer: $0) }
    }

    /// Writes raw bytes (already in the output's encoding and escaping).
    @inlinable
    public mutating func write(buffer source: UnsafeBufferPointer<UInt8>) {
        guard let from = source.baseAddress else { return }
        claim(source.count).update(from: from, count: source.count)
    }

    /// Writes one byte.
    @inlinable
    public mutating func write(byte: UInt8) {
        claim(1).pointee = byte
    }

    /// Writes an unsigned integer in decimal.
    @inlinable
    public mutating func writeDecimal(_ value: UInt64) {
        let count = DecimalDigits.count(value)
        DecimalDigits.store(value, count: count, at: claim(count))
    }

    /// Writes `nanos` as microseconds with exactly the needed decimals (at most 3): `12`, `12.5`, `12.345`.
    @inlinable
    public mutating func writeMicros(fromNanos nanos: UInt64) {
        let whole = nanos / 1000
        let fraction = nanos % 1000
        let wholeCount = DecimalDigits.count(whole)
        // The fraction's digits without trailing zeros: `.5` for 500, `.05` for 50, `.005` for 5.
        let fractionCount = fraction == 0 ? 0 : fraction % 100 == 0 ? 1 : fraction % 10 == 0 ? 2 : 3
        let target = claim(fractionCount == 0 ? wholeCount : wholeCount + 1 + fractionCount)
        DecimalDigits.store(whole, count: wholeCount, at: target)
        guard fractionCount > 0 else { return }
        target[wholeCount] = UInt8(ascii: ".")
        // The digits kept, from the hundreds of ns down.
        let digits = (fraction / 100, fraction / 10 % 10, fraction % 10)
        target[wholeCount + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digits.0)
        if fractionCount > 1 { target[wholeCount + 2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digits.1) }
        if fractionCount > 2 { target[wholeCount + 3] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digits.2) }
    }
}
