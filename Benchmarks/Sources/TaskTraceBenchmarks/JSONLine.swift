import Foundation

/// The one-line JSON summary (`--json`): keys in insertion order, numbers rounded to 4 significant digits,
/// `null` for a figure that could not be measured here (e.g. no Chromium).
struct JSONLine {
    private var fields: [(String, String)] = []

    mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else {
            fields.append((key, "null"))
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            fields.append((key, String(Int64(value))))
        } else {
            let magnitude = value == 0 ? 0 : Int(floor(log10(abs(value))))
            let decimals = max(0, 3 - magnitude)
            fields.append((key, String(format: "%.\(decimals)f", value)))
        }
    }

    mutating func add(_ key: String, _ value: String) {
        let data = (try? JSONSerialization.data(withJSONObject: [value], options: [])) ?? Data("[\"\"]".utf8)
        let encoded = String(decoding: data, as: UTF8.self).dropFirst().dropLast()
        fields.append((key, String(encoded)))
    }

    var text: String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
