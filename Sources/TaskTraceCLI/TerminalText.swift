/// Makes text from a trace or from the command line safe to print on a terminal as one line.
///
/// Control characters (newlines, escape sequences, C1 controls) are shown escaped (`\n`, `\u{1B}`) instead of
/// being interpreted, so a task name or meta value cannot fake output lines or drive the terminal.
enum TerminalText {
    static func oneLine(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                result += scalar.escaped(asASCII: false)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
