@testable import TaskTraceExport
import Testing

/// `ByteWriter` writes through a pointer into its buffer, numbers two digits at a time and strings in unescaped
/// runs: each test compares it with a plain reference (the standard library's `String(_:)` or a per-scalar escaper
/// written here) at the edges where such code goes wrong.
@Suite("ByteWriter")
struct ByteWriterTests {
    /// Every power of ten, one below and one above it (each digit count's first and last value), and the ends.
    static let decimalEdges: [UInt64] = {
        var values: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 101, UInt64.max, UInt64.max - 1]
        var power: UInt64 = 1
        for _ in 1...19 {
            power *= 10
            values += [power - 1, power, power + 1, power + power / 3]
        }
        values += (0..<1_000).map { UInt64($0) }
        var random = SystemRandomNumberGenerator()
        values += (0..<2_000).map { _ in
            UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0..<64, using: &random)
        }
        return values
    }()

    static func text(_ writer: ByteWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }

    @Test func decimalsMatchTheStandardLibraryAtEveryDigitCount() {
        for value in Self.decimalEdges {
            var out = ByteWriter.collecting()
            out.writeDecimal(value)
            #expect(Self.text(out) == String(value), "value \(value)")
        }
        var out = ByteWriter.collecting()
        for value in [0, -1, -9, -10, 42, Int.min, Int.max] {
            out.writeDecimal(value)
            out.write(" ")
        }
        #expect(Self.text(out) == "0 -1 -9 -10 42 \(Int.min) \(Int.max) ")
    }

    @Test func microsecondsHaveExactlyTheNeededDecimals() {
        /// µs with the ns as a 3-digit fraction, trailing zeros (and a lone dot) trimmed.
        func reference(_ nanos: UInt64) -> String {
            let fraction = String(nanos % 1000)
            var digits = String(repeating: "0", count: 3 - fraction.count) + fraction
            while digits.hasSuffix("0") { digits.removeLast() }
            return String(nanos / 1000) + (digits.isEmpty ? "" : "." + digits)
        }
        var values = Self.decimalEdges
        for fraction: UInt64 in [0, 1, 5, 9, 10, 50, 99, 100, 105, 110, 500, 990, 999] {
            let wholes = Self.decimalEdges.prefix(90).filter { $0 < UInt64.max - 1_000 }
            values += wholes.map { $0 / 1000 * 1000 + fraction }
        }
        for nanos in values {
            var out = ByteWriter.collecting()
            out.writeMicros(fromNanos: nanos)
            #expect(Self.text(out) == reference(nanos), "nanos \(nanos)")
        }
    }

    /// The JSON escaping the exports promise, one scalar at a time: independent of the writer's byte runs.
    static func referenceJSONContent(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    static func jsonContent(_ text: String) -> String {
        var out = ByteWriter.collecting()
        out.writeJSONStringContent(text)
        return Self.text(out)
    }

    @Test func everyASCIIByteIsEscapedAtTheStartInsideAndAtTheEnd() {
        for value in 0..<0x80 {
            let character = String(UnicodeScalar(UInt8(value)))
            for text in [character, "ab" + character + "cd", "abc" + character, character + character + "x"] {
                let expected = Self.referenceJSONContent(text)
                #expect(Self.jsonContent(text) == expected, "byte \(value) in \(text.debugDescription)")
            }
        }
        var out = ByteWriter.collecting()
        out.writeJSONString("q\"b\\")
        #expect(Self.text(out) == "\"q\\\"b\\\\\"")
    }

    @Test func onlyTheLineAndParagraphSeparatorsAmongE2SequencesAreEscaped() {
        // E2 80 A7, E2 80 A8, E2 80 A9, E2 80 AA, E2 80 99 (’), E2 82 AC (€): the neighbours share the lead bytes.
        let scalars: [Unicode.Scalar] = ["\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{2019}", "\u{20AC}"]
        for scalar in scalars {
            let one = String(scalar)
            for text in [one, "a" + one, one + "b", one + one, "x\(one)\"\(one)y"] {
                #expect(Self.jsonContent(text) == Self.referenceJSONContent(text), "\(text.debugDescription)")
            }
        }
        #expect(Self.jsonContent("\u{2028}\u{2029}") == "\\u2028\\u2029")
        #expect(Self.jsonContent("é 😀 €") == "é 😀 €")
    }

    @Test func randomStringsOfTrickyScalarsEscapeAsTheReference() {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "#", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}",
            "\u{7F}", "\u{80}", "é", "\u{2027}", "\u{2028}", "\u{2029}", "\u{2019}", "\u{FFFD}", "😀",
        ]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<24, using: &random) {
                text.unicodeScalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)])
            }
            #expect(Self.jsonContent(text) == Self.referenceJSONContent(text), "\(text.debugDescription)")
        }
    }

    /// A mix of every kind of write, each followed by `flushIfNeeded()` as the exporters do.
    static func writeMix(to out: inout ByteWriter) throws {
        for round in 0..<40 {
            out.write(",\n{\"ph\":\"X\",\"tid\":")
            out.writeDecimal(UInt64(round) * 123_456_789)
            out.write(",\"ts\":")
            out.writeMicros(fromNanos: UInt64(round) * 1_234_567)
            out.write(",\"name\":")
            out.writeJSONString("task \"\(round)\"\n\u{2028} é #\(round)")
            out.write(bytes: Array("}".utf8))
            out.write(byte: UInt8(ascii: " "))
            out.writeUnescaped(String(repeating: "x", count: round * 7))
            try out.flushIfNeeded()
        }
    }

    @Test func anyChunkSizeGivesTheSameBytesAndNoChunkIsLost() throws {
        var whole = ByteWriter.collecting()
        try Self.writeMix(to: &whole)
        for chunkSize in [1, 2, 3, 7, 16, 63, 64, 65, 100, 1_000, 4_096, 1 << 18] {
            var chunks: [[UInt8]] = []
            var out = ByteWriter(chunkSize: chunkSize) { chunks.append(Array($0)) }
            try Self.writeMix(to: &out)
            #expect(out.byteCount == whole.byteCount)
            try out.flush()
            #expect(chunks.flatMap { $0 } == whole.bytes, "chunk size \(chunkSize)")
            #expect(out.flushedByteCount == whole.byteCount && out.bytes.isEmpty)
            // Every chunk but the last holds at least a chunk's worth (flushed only when full).
            #expect(chunks.dropLast().allSatisfy { $0.count >= chunkSize }, "chunk size \(chunkSize)")
        }
    }

    @Test func oneWriteLargerThanTheBufferGrowsIt() throws {
        let long = String(repeating: "0123456789", count: 10_000) + "\"end"
        var chunks: [UInt8] = []
        var out = ByteWriter(chunkSize: 16) { chunks.append(contentsOf: $0) }
        out.write("[")
        out.writeJSONString(long)
        try out.flushIfNeeded()
        out.write("]")
        try out.flush()
        #expect(String(decoding: chunks, as: UTF8.self) == "[\"" + Self.referenceJSONContent(long) + "\"]")
        var collected = ByteWriter.collecting()  // starts with 64 bytes of room
        for number in 0..<10_000 { collected.writeDecimal(UInt64(number)) }
        #expect(Self.text(collected) == (0..<10_000).map(String.init).joined())
    }

    @Test func aCopyWritesIntoItsOwnBuffer() {
        var first = ByteWriter.collecting()
        first.write("a")
        var second = first
        second.write("b")
        first.write("c")
        #expect(Self.text(first) == "ac")
        #expect(Self.text(second) == "ab")
    }

    @Test func aCursorWritesWhatTheWriterWrites() {
        var direct = ByteWriter.collecting()
        var viaCursor = ByteWriter.collecting()
        for value in Self.decimalEdges {
            direct.write(",")
            direct.writeDecimal(value)
            direct.writeMicros(fromNanos: value)
            viaCursor.withCursor(reserving: 1 + ByteCursor.maxDecimalBytes + ByteCursor.maxMicrosBytes) { cursor in
                cursor.write(",")
                cursor.writeDecimal(value)
                cursor.writeMicros(fromNanos: value)
            }
        }
        #expect(viaCursor.bytes == direct.bytes)
        // Room reserved and not used is not written.
        viaCursor.withCursor(reserving: 100) { $0.write(byte: UInt8(ascii: "!")) }
        #expect(Self.text(viaCursor) == Self.text(direct) + "!")
    }

    @Test func writingMoreThanTheCursorsRoomTraps() async {
        await #expect(processExitsWith: .failure) {
            var out = ByteWriter.collecting()
            out.withCursor(reserving: 2) { $0.write("abc") }
        }
    }
}
