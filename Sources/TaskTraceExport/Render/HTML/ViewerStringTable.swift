/// Deduplicated strings of the viewer's data: task names, spawn sites, errors, mark kinds and details, thread
/// names. Columns refer to a string by its position + 1, with 0 for "none", so an absent name costs one byte.
///
/// Not thread-safe: one table per export.
struct ViewerStringTable {
    private(set) var strings: [String] = []
    private var positions: [String: Int] = [:]

    /// The reference to `text` (position + 1), adding it if new; 0 for nil.
    mutating func reference(_ text: String?) -> Int {
        guard let text else { return 0 }
        if let known = positions[text] { return known + 1 }
        strings.append(text)
        positions[text] = strings.count - 1
        return strings.count
    }
}
