/// Which task tracks of a Chrome export need a `thread_sort_index` for catapult to list them in tree order.
///
/// Perfetto UI v52 orders a process's threads by `tid` (= tree position + 1 here) and ignores sort indexes.
/// catapult (`Thread.compare`) orders them by `sortIndex` (0 when none is given), then by name
/// (`String.localeCompare`), then by `tid`. So a run of consecutive tracks whose names already compare in tree
/// order needs no sort index: it keeps the default 0, the tracks before it get -n … -1 and the tracks after it
/// 1, 2, …. The longest such run is left without; in a big trace that is usually one family of unnamed children
/// (`group child #2620563`, `group child #2620564`, …), so the index costs bytes only for the few others.
///
/// Names are compared conservatively, so that catapult's collation (ICU, the browser's locale) is certain to agree:
/// two names are "in order" when they are equal (then `tid` decides), or when both are printable ASCII of the same
/// length, differ only where both hold a decimal digit, and the first such digit is smaller in the earlier name.
/// Anything else (names of other lengths, letters, non-ASCII text) counts as out of order and gets a sort index.
///
/// Thread-safe (a value type).
struct ChromeTrackOrder: Sendable {
    /// The first track (tree position) of the run written without sort indexes.
    let runStart: Int
    /// One past its last track.
    let runEnd: Int

    /// - Parameter names: each track's name as written, JSON-escaped (a name with an escape sequence is treated as
    ///   out of order with any other name).
    init(names: ChromeTrackNames) {
        var bestStart = 0
        var bestEnd = names.count == 0 ? 0 : 1
        var start = 0
        for index in (0..<names.count).dropFirst() {
            let inOrder = names.withName(index - 1) { earlier in
                names.withName(index) { later in Self.catapultSortsInOrder(earlier, later) }
            }
            if !inOrder { start = index }
            if index + 1 - start > bestEnd - bestStart {
                bestStart = start
                bestEnd = index + 1
            }
        }
        runStart = bestStart
        runEnd = bestEnd
    }

    /// The sort index of the track at tree position `index`, or nil when it keeps catapult's default 0.
    func sortIndex(ofTrack index: Int) -> Int? {
        if index < runStart { return index - runStart }
        if index >= runEnd { return index - runEnd + 1 }
        return nil
    }

    /// Whether catapult surely lists a track named `earlier` before one named `later` when both have sort index 0
    /// and `earlier` has the smaller tid.
    static func catapultSortsInOrder(
        _ earlier: UnsafeBufferPointer<UInt8>, _ later: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard earlier.count == later.count else { return false }
        // One pass (this runs for every pair of neighbouring tracks): equal names are in order whatever they hold;
        // names that differ are in order only when every byte is trusted and the first differing digit rises.
        var decided = false
        var allTrusted = true
        for index in earlier.indices {
            let (a, b) = (earlier[index], later[index])
            if a == b {
                allTrusted = allTrusted && Self.isTrusted(a)
                continue
            }
            guard Self.isTrusted(a), Self.isTrusted(b), Self.isDigit(a), Self.isDigit(b) else { return false }
            if !decided {
                if a > b { return false }
                decided = true
            }
        }
        return decided ? allTrusted : true
    }

    /// Printable ASCII, and no escape sequence: `\u0001` vs `\u0002` differ in digits but are not digits.
    private static func isTrusted(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") }

    /// `catapultSortsInOrder` of two names held in arrays (for tests).
    static func catapultSortsInOrder(_ earlier: [UInt8], _ later: [UInt8]) -> Bool {
        earlier.withUnsafeBufferPointer { earlier in
            later.withUnsafeBufferPointer { later in catapultSortsInOrder(earlier, later) }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
