extension ByteWriter {
    /// Appends `text` as a JSON string, quotes included: `"`, `\` and every control character escaped
    /// (`\n`, `\t`, `\u0001`, …); U+2028/U+2029 escaped too so the output is also valid JavaScript.
    /// Swift strings are valid Unicode, so invalid UTF-8 in a trace arrives here already repaired (U+FFFD).
    public mutating func writeJSONString(_ text: String) {
        write(byte: UInt8(ascii: "\""))
        writeJSONStringContent(text)
        write(byte: UInt8(ascii: "\""))
    }

    /// The inside of a JSON string, without quotes.
    public mutating func writeJSONStringContent(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { writeJSONStringContent(utf8: $0) }
        guard copied == nil else { return }
        // A bridged or lazily decoded string: escape a contiguous copy.
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { writeJSONStringContent(utf8: $0) }
    }

    /// The inside of a JSON string from valid UTF-8: runs of bytes that need no escape (almost every name) are
    /// copied whole; only the bytes that need one are written one by one.
    mutating func writeJSONStringContent(utf8 text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            // Everything but controls, `"`, `\`, DEL, and the lead byte of U+2028/U+2029 goes out as is.
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0x7F
                && byte != 0xE2
            {
                index &+= 1
                continue
            }
            if byte == 0xE2 {
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; any other E2 sequence is copied with its run.
                guard index + 2 < text.count, text[index + 1] == 0x80,
                    text[index + 2] == 0xA8 || text[index + 2] == 0xA9
                else {
                    index &+= 1
                    continue
                }
                write(buffer: UnsafeBufferPointer(rebasing: text[runStart..<index]))
                write(text[index + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                index &+= 3
                runStart = index
                continue
            }
            write(buffer: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            writeEscape(of: byte)
            index &+= 1
            runStart = index
        }
        write(buffer: UnsafeBufferPointer(rebasing: text[runStart..<index]))
    }

    /// The escape sequence of one ASCII byte that JSON (or this writer) escapes: a control character, `"`, `\`
    /// or DEL.
    private mutating func writeEscape(of byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): write("\\\"")
        case UInt8(ascii: "\\"): write("\\\\")
        case 0x0A: write("\\n")
        case 0x0D: write("\\r")
        case 0x09: write("\\t")
        case 0x08: write("\\b")
        case 0x0C: write("\\f")
        default:
            write("\\u00")
            write(byte: Self.hexDigit(byte >> 4))
            write(byte: Self.hexDigit(byte & 0xF))
        }
    }

    /// A lower-case hex digit for a value below 16 (no lookup table: this runs for every string of an export).
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ (value &- 10)
    }

    /// Appends `text` escaped for XML text and attribute values (`&`, `<`, `>`, `"`, `'`). Characters XML 1.0
    /// forbids (C0 controls other than tab, newline, return; U+FFFE/U+FFFF) become U+FFFD, so the output
    /// stays well-formed whatever a task was named.
    public mutating func writeXMLEscaped(_ text: String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": write("&amp;")
            case "<": write("&lt;")
            case ">": write("&gt;")
            case "\"": write("&quot;")
            case "'": write("&#39;")
            case "\t", "\n", "\r": write(byte: UInt8(scalar.value))
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF || scalar.value == 0x7F {
                    write("\u{FFFD}")
                } else {
                    writeUnescaped(String(scalar))
                }
            }
        }
    }

    /// `text` as JSON string bytes (with quotes), for values written many times (task names, args).
    public static func jsonStringBytes(_ text: String) -> [UInt8] {
        var writer = ByteWriter.collecting()
        writer.writeJSONString(text)
        return writer.bytes
    }

    /// `text` as XML-escaped bytes.
    public static func xmlEscapedBytes(_ text: String) -> [UInt8] {
        var writer = ByteWriter.collecting()
        writer.writeXMLEscaped(text)
        return writer.bytes
    }
}
