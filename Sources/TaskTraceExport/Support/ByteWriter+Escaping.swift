extension ByteWriter {
    /// Appends `text` as a JSON string, quotes included: `"`, `\` and every control character escaped
    /// (`\n`, `\t`, `\u0001`, …); U+2028/U+2029 escaped too so the output is also valid JavaScript.
    /// Swift strings are valid Unicode, so invalid UTF-8 in a trace arrives here already repaired (U+FFFD).
    public mutating func writeJSONString(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        writeJSONStringContent(text)
        buffer.append(UInt8(ascii: "\""))
    }

    /// The inside of a JSON string, without quotes.
    public mutating func writeJSONStringContent(_ text: String) {
        var utf8 = text.utf8.makeIterator()
        var pendingE2: [UInt8] = []
        while let byte = utf8.next() {
            if !pendingE2.isEmpty {
                pendingE2.append(byte)
                if pendingE2.count == 3 {
                    if pendingE2[1] == 0x80 && (pendingE2[2] == 0xA8 || pendingE2[2] == 0xA9) {
                        write(pendingE2[2] == 0xA8 ? "\\u2028" : "\\u2029")
                    } else {
                        buffer.append(contentsOf: pendingE2)
                    }
                    pendingE2.removeAll(keepingCapacity: true)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): write("\\\"")
            case UInt8(ascii: "\\"): write("\\\\")
            case 0x0A: write("\\n")
            case 0x0D: write("\\r")
            case 0x09: write("\\t")
            case 0x08: write("\\b")
            case 0x0C: write("\\f")
            case 0x00..<0x20, 0x7F:
                write("\\u00")
                buffer.append(Self.hexDigit(byte >> 4))
                buffer.append(Self.hexDigit(byte & 0xF))
            case 0xE2: pendingE2.append(byte)
            default: buffer.append(byte)
            }
        }
        buffer.append(contentsOf: pendingE2)
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
            case "\t", "\n", "\r": buffer.append(UInt8(scalar.value))
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF || scalar.value == 0x7F {
                    write("\u{FFFD}")
                } else {
                    buffer.append(contentsOf: String(scalar).utf8)
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
