/// A streaming byte writer: gathers output in a buffer and hands it to a sink in chunks of about
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

    /// The buffer, always fully initialized (its `count` is its capacity); `storage[0..<used]` is what was written
    /// and not flushed. Writers copy into it through a pointer (`append(reserving:_:)`): one room check per write
    /// instead of one `Array.append` (uniqueness and capacity checks) per byte. An `Array`, not a raw allocation,
    /// so the writer keeps value semantics (a copy writes into its own buffer).
    @usableFromInline var storage: [UInt8]
    /// Bytes of `storage` written and not yet flushed.
    @usableFromInline var used = 0
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
        // A chunk and room for the event that crosses it; a huge chunk size (`collecting()`) grows as needed.
        self.storage = [UInt8](repeating: 0, count: chunkSize <= 1 << 24 ? chunkSize + 4096 : 64)
    }

    /// A writer that collects everything in memory; read it with `bytes` (for tests and small outputs).
    public static func collecting() -> ByteWriter {
        ByteWriter(chunkSize: Int.max / 2) { _ in }
    }

    /// Bytes written and not yet flushed (everything, for a `collecting()` writer).
    public var bytes: [UInt8] { Array(storage[..<used]) }

    /// Total bytes written, flushed or not.
    public var byteCount: Int { flushedByteCount + used }

    /// The one way bytes get in (`withCursor` is built on it): makes room for up to `maxCount` bytes, lets `body`
    /// write them at the pointer it gets, and keeps as many as `body` returns (at most `maxCount`).
    @inlinable
    mutating func append(reserving maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if storage.count &- used < maxCount { grow(toHold: maxCount) }
        let start = used
        let written = storage.withUnsafeMutableBufferPointer { buffer in
            // `storage` is never empty (see `init` and `grow`), so it has an address.
            guard let base = buffer.baseAddress else { return 0 }
            return body(base + start)
        }
        used = start &+ written
    }

    /// Enlarges `storage` so that `extra` more bytes fit after `used`: at least doubling, so a collecting writer
    /// copies each byte O(1) times.
    @usableFromInline
    mutating func grow(toHold extra: Int) {
        let needed = used + extra
        storage.append(contentsOf: repeatElement(0, count: max(needed, 2 * storage.count) - storage.count))
    }

    /// Appends a literal.
    @inlinable
    public mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write(buffer: $0) }
    }

    /// Appends the bytes of `source`: one copy.
    @inlinable
    mutating func write(buffer source: UnsafeBufferPointer<UInt8>) {
        withCursor(reserving: source.count) { $0.write(buffer: source) }
    }

    /// Makes room for up to `maxCount` bytes and lets `body` write them through a cursor: one room check and one
    /// buffer access for a whole event (`ByteCursor`). Writing more than `maxCount` bytes traps.
    @inlinable
    public mutating func withCursor(reserving maxCount: Int, _ body: (inout ByteCursor) -> Void) {
        append(reserving: maxCount) { start in
            var cursor = ByteCursor(start: start, end: start + maxCount)
            body(&cursor)
            return cursor.position - start
        }
    }

    /// Appends raw bytes (already in the output's encoding and escaping).
    @inlinable
    public mutating func write(bytes: some Sequence<UInt8>) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { write(buffer: $0) }
        guard copied == nil else { return }
        for byte in bytes { write(byte: byte) }
    }

    /// Appends a string's UTF-8 as is: only for text known to need no escaping (numbers, fixed names).
    @inlinable
    public mutating func writeUnescaped(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { write(buffer: $0) }
        guard copied == nil else { return }
        for byte in text.utf8 { write(byte: byte) }
    }

    /// Appends one byte.
    @inlinable
    public mutating func write(byte: UInt8) {
        withCursor(reserving: 1) { $0.write(byte: byte) }
    }

    /// Appends an unsigned integer in decimal.
    @inlinable
    public mutating func writeDecimal(_ value: UInt64) {
        withCursor(reserving: ByteCursor.maxDecimalBytes) { $0.writeDecimal(value) }
    }

    /// Appends a signed integer in decimal.
    @inlinable
    public mutating func writeDecimal(_ value: Int) {
        if value < 0 { write(byte: UInt8(ascii: "-")) }
        writeDecimal(UInt64(value.magnitude))
    }

    /// Appends `nanos` as microseconds with exactly the needed decimals (at most 3): `12`, `12.5`, `12.345`.
    @inlinable
    public mutating func writeMicros(fromNanos nanos: UInt64) {
        withCursor(reserving: ByteCursor.maxMicrosBytes) { $0.writeMicros(fromNanos: nanos) }
    }

    /// Appends a fixed-point number with one decimal (`12.5`, `-3`), rounding half away from zero; for SVG
    /// coordinates. Deterministic and locale-free.
    public mutating func writeFixed1(_ value: Double) {
        let tenths = Int((value * 10).rounded())
        if tenths < 0 { write(byte: UInt8(ascii: "-")) }
        let magnitude = UInt64(tenths.magnitude)
        writeDecimal(magnitude / 10)
        if magnitude % 10 != 0 {
            write(byte: UInt8(ascii: "."))
            write(byte: UInt8(ascii: "0") &+ UInt8(magnitude % 10))
        }
    }

    /// Hands the buffer to the sink when it holds at least a chunk.
    @inlinable
    public mutating func flushIfNeeded() throws {
        if used >= chunkSizeValue { try flush() }
    }

    @usableFromInline var chunkSizeValue: Int { chunkSize }

    /// Hands everything buffered to the sink.
    public mutating func flush() throws {
        guard used > 0 else { return }
        let count = used
        try storage.withUnsafeBufferPointer { try sink(UnsafeBufferPointer(rebasing: $0[..<count])) }
        flushedByteCount += count
        used = 0
    }
}
