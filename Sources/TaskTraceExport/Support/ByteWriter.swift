/// A streaming byte writer: appends to a `[UInt8]` buffer and hands it to a sink in chunks of about
/// `chunkSize` bytes, so an export of any size needs only one chunk in memory.
///
/// Exporters write text through it (`write(_:)` for literals, `writeDecimal` for numbers, the escaping
/// writers in `ByteWriter+Escaping.swift`) and call `flushIfNeeded()` between events; the caller calls
/// `flush()` at the end.
///
/// Not thread-safe: one writer per export, used from one thread.
///
/// ```swift
/// var out = ByteWriter { chunk in try file.write(chunk) }
/// out.write("{}")
/// try out.flush()
/// ```
public struct ByteWriter {
    /// Receives each chunk; may throw (a full disk), which the next `flush` rethrows.
    public typealias Sink = (UnsafeBufferPointer<UInt8>) throws -> Void

    @usableFromInline var buffer: [UInt8]
    private let sink: Sink
    private let chunkSize: Int
    /// Bytes handed to the sink so far.
    public private(set) var flushedByteCount = 0

    /// - Parameters:
    ///   - chunkSize: bytes to gather before `flushIfNeeded()` calls the sink.
    ///   - sink: where the bytes go.
    public init(chunkSize: Int = 1 << 18, sink: @escaping Sink) {
        self.chunkSize = chunkSize
        self.sink = sink
        self.buffer = []
        buffer.reserveCapacity(chunkSize <= 1 << 24 ? chunkSize + 4096 : 64)
    }

    /// A writer that collects everything in memory; read it with `bytes` (for tests and small outputs).
    public static func collecting() -> ByteWriter {
        ByteWriter(chunkSize: Int.max / 2) { _ in }
    }

    /// Bytes written and not yet flushed (everything, for a `collecting()` writer).
    public var bytes: [UInt8] { buffer }

    /// Total bytes written, flushed or not.
    public var byteCount: Int { flushedByteCount + buffer.count }

    /// Appends a literal.
    @inlinable
    public mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Appends raw bytes (already in the output's encoding and escaping).
    @inlinable
    public mutating func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Appends a string's UTF-8 as is: only for text known to need no escaping (numbers, fixed names).
    @inlinable
    public mutating func writeUnescaped(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Appends one byte.
    @inlinable
    public mutating func write(byte: UInt8) {
        buffer.append(byte)
    }

    /// Appends an unsigned integer in decimal.
    @inlinable
    public mutating func writeDecimal(_ value: UInt64) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch, enough for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                scratch[count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            var index = count - 1
            while index >= 0 {
                buffer.append(scratch[index])
                index -= 1
            }
        }
    }

    /// Appends a signed integer in decimal.
    @inlinable
    public mutating func writeDecimal(_ value: Int) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        writeDecimal(UInt64(value.magnitude))
    }

    /// Appends `nanos` as microseconds with exactly the needed decimals (at most 3): `12`, `12.5`, `12.345`.
    @inlinable
    public mutating func writeMicros(fromNanos nanos: UInt64) {
        writeDecimal(nanos / 1000)
        var fraction = nanos % 1000
        guard fraction != 0 else { return }
        buffer.append(UInt8(ascii: "."))
        var divisor: UInt64 = 100
        while fraction != 0 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// Appends a fixed-point number with one decimal (`12.5`, `-3`), rounding half away from zero; for SVG
    /// coordinates. Deterministic and locale-free.
    public mutating func writeFixed1(_ value: Double) {
        let tenths = Int((value * 10).rounded())
        if tenths < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = UInt64(tenths.magnitude)
        writeDecimal(magnitude / 10)
        if magnitude % 10 != 0 {
            buffer.append(UInt8(ascii: "."))
            buffer.append(UInt8(ascii: "0") &+ UInt8(magnitude % 10))
        }
    }

    /// Hands the buffer to the sink when it holds at least a chunk.
    @inlinable
    public mutating func flushIfNeeded() throws {
        if buffer.count >= chunkSizeValue { try flush() }
    }

    @usableFromInline var chunkSizeValue: Int { chunkSize }

    /// Hands everything buffered to the sink.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { try sink($0) }
        flushedByteCount += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
