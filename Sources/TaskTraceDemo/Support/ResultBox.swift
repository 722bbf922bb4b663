import Synchronization

/// A value set once from another task or thread (a done callback) and read later.
///
/// Thread-safe: the value is in a `Mutex`.
final class ResultBox: Sendable {
    private let storage = Mutex<String?>(nil)

    /// Stores `text`, replacing any earlier value.
    func set(_ text: String) {
        storage.withLock { $0 = text }
    }

    /// The stored value, or nil if none was set yet.
    var value: String? {
        storage.withLock { $0 }
    }
}
