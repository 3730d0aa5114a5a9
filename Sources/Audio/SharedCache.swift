import Foundation

/// Values built once per key and shared between threads: the feature extractors, one per parameter
/// set (their FFT plans and tables are costly to make and immutable once made).
final class SharedCache<Key: Hashable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]

    /// The value for `key`, made by `make` on first use (under the lock, so it is made once).
    func value(for key: Key, make: (Key) -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let made = values[key] { return made }
        let made = make(key)
        values[key] = made
        return made
    }
}
