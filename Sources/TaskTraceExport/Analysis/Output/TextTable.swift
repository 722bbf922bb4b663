/// Lays out rows of text as aligned columns, like `ps` or tokio-console's task list. Widths count Characters;
/// cells longer than a column's `maxWidth` are cut with `…`. Thread-safe (a value type).
struct TextTable {
    struct Column {
        var title: String
        var rightAligned: Bool
        var maxWidth: Int = 40
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The header line, then one line per row; trailing spaces trimmed.
    func lines() -> [String] {
        var cells = [columns.map(\.title)] + rows
        for rowIndex in cells.indices {
            for column in columns.indices where column < cells[rowIndex].count {
                let text = cells[rowIndex][column]
                if text.count > columns[column].maxWidth {
                    cells[rowIndex][column] = String(text.prefix(columns[column].maxWidth - 1)) + "…"
                }
            }
        }
        let widths = columns.indices.map { column in cells.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return cells.map { row in
            var line = ""
            for column in columns.indices {
                let text = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: max(0, widths[column] - text.count))
                if column > 0 { line += "  " }
                line += columns[column].rightAligned ? padding + text : text + padding
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
