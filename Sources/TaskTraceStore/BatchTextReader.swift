/// A cursor over the JSON text of a batch row (`job_batches`, `untracked_batches`, `task_batches`) that reads the
/// few tokens tasktrace writes there — arrays, integers, strings, `null` — and fails with
/// `JobBatchDecoding.DecodingError` (the byte where reading stopped) on anything else. Shared by the batch
/// decoders so each accepts the same JSON. Not thread-safe: a value used by one decoding.
struct BatchTextReader {
    let text: UnsafeBufferPointer<UInt8>
    var position = 0

    var failure: JobBatchDecoding.DecodingError { JobBatchDecoding.DecodingError(offset: position) }

    /// The next byte that is not JSON white space, or nil at the end.
    mutating func peek() -> UInt8? {
        while position < text.count {
            switch text[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return text[position]
            }
        }
        return nil
    }

    mutating func consume(_ byte: UInt8) throws(JobBatchDecoding.DecodingError) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    mutating func expect(_ byte: UInt8) throws(JobBatchDecoding.DecodingError) {
        guard try consume(byte) else { throw failure }
    }

    mutating func expectEnd() throws(JobBatchDecoding.DecodingError) {
        guard peek() == nil else { throw failure }
    }

    /// Reads the whole text as one JSON array — a batch's outer array —, calling `item` to read each element (after
    /// the comma before it), then requires the end of the text.
    mutating func readWholeArray(_ item: (inout BatchTextReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try !consume(UInt8(ascii: "]")) {
            repeat { try item(&self) } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        }
        try expectEnd()
    }

    /// Consumes `null` if it comes next.
    mutating func consumeNull() throws(JobBatchDecoding.DecodingError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        guard text.count - position >= 4, text[position + 1] == UInt8(ascii: "u"),
            text[position + 2] == UInt8(ascii: "l"), text[position + 3] == UInt8(ascii: "l")
        else { throw failure }
        position += 4
        return true
    }

    mutating func integerOrNull() throws(JobBatchDecoding.DecodingError) -> Int64? {
        if try consumeNull() { return nil }
        guard let first = peek() else { throw failure }
        let negative = first == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        // Accumulated as a negative number, whose range includes Int64.min.
        var value: Int64 = 0
        while position < text.count, text[position] >= 48, text[position] <= 57 {
            let digit = Int64(text[position] - 48)
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw failure }
            value = next
            position += 1
        }
        // At least one digit, no leading zero before another digit, no fraction or exponent.
        guard position > start, !(text[start] == 48 && position - start > 1) else { throw failure }
        if position < text.count {
            switch text[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw failure
            default: break
            }
        }
        if negative { return value }
        guard value != .min else { throw failure }
        return -value
    }

    /// A JSON string (its escapes decoded; a lone surrogate becomes U+FFFD, invalid UTF-8 is repaired the same
    /// way), or nil for `null`. Raw control characters, which JSON forbids inside strings, are damage.
    mutating func stringOrNull() throws(JobBatchDecoding.DecodingError) -> String? {
        if try consumeNull() { return nil }
        try expect(UInt8(ascii: "\""))
        let start = position
        // The common case, a string without escapes: decoded straight from the text.
        while position < text.count {
            let byte = text[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: UnsafeBufferPointer(rebasing: text[start..<(position - 1)]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure }
            position += 1
        }
        var bytes = Array(text[start..<position])
        while position < text.count {
            let byte = text[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &bytes)
            case ..<0x20:
                position -= 1
                throw failure
            default:
                bytes.append(byte)
            }
        }
        throw failure
    }

    /// The escape after a backslash, appended to `bytes` as UTF-8.
    private mutating func escape(into bytes: inout [UInt8]) throws(JobBatchDecoding.DecodingError) {
        guard position < text.count else { throw failure }
        let letter = text[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(letter)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexUnit())
            if (0xD800..<0xDC00).contains(scalar), text.count - position >= 6, text[position] == UInt8(ascii: "\\"),
                text[position + 1] == UInt8(ascii: "u")
            {
                let mark = position
                position += 2
                let low = UInt32(try hexUnit())
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = mark  // not a pair: the next escape stands on its own
                }
            }
            bytes.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
        default:
            position -= 1
            throw failure
        }
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hexUnit() throws(JobBatchDecoding.DecodingError) -> UInt16 {
        guard text.count - position >= 4 else { throw failure }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = text[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}
