/// A JSON value with keys kept in the order given, so analysis output is byte-for-byte stable
/// (docs/analysis.md documents every key). Thread-safe (a value type).
public indirect enum JSONValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case uint(UInt64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// `.string(text)`, or `.null` when `text` is nil.
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// `.uint(value)`, or `.null` when `value` is nil.
    public static func optional(_ value: UInt64?) -> JSONValue { value.map(JSONValue.uint) ?? .null }

    /// Writes the value: the top-level object one key per line and the elements of its arrays one per line
    /// (readable diffs, `grep`-able), everything deeper compact.
    public func write(to out: inout ByteWriter, depth: Int = 0) {
        let topLevel = depth < 2
        switch self {
        case .string(let text): out.writeJSONString(text)
        case .int(let value): out.writeDecimal(value)
        case .uint(let value): out.writeDecimal(value)
        case .bool(let value): out.writeUnescaped(value ? "true" : "false")
        case .null: out.write("null")
        case .array(let values):
            out.write("[")
            for (index, value) in values.enumerated() {
                if index > 0 { out.write(",") }
                if topLevel { out.write("\n") }
                value.write(to: &out, depth: depth + 1)
            }
            if topLevel && !values.isEmpty { out.write("\n") }
            out.write("]")
        case .object(let pairs):
            out.write("{")
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { out.write(",") }
                if topLevel { out.write("\n") }
                out.writeJSONString(key)
                out.write(":")
                value.write(to: &out, depth: depth + 1)
            }
            if topLevel && !pairs.isEmpty { out.write("\n") }
            out.write("}")
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        var left = ByteWriter.collecting()
        var right = ByteWriter.collecting()
        lhs.write(to: &left)
        rhs.write(to: &right)
        return left.bytes == right.bytes
    }

    public func hash(into hasher: inout Hasher) {
        var out = ByteWriter.collecting()
        write(to: &out)
        hasher.combine(out.bytes)
    }
}
