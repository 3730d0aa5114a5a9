import Tensor

/// Scratch memory shared by layers that need a temporary buffer inside one call (im2col patches).
///
/// A `Sequential` model gives all its conv layers one workspace, sized by the largest request, so
/// the model holds a single im2col buffer (darknet's `net->workspace`). Contents never survive a call.
public final class Workspace {
    private var storage: [Float] = []

    public init() {}

    /// Floats currently reserved.
    public var capacity: Int { storage.count }

    /// Runs `body` with a buffer of at least `count` floats; grows (once) when too small.
    @inlinable
    public func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try withStorage(count: count, body)
    }

    @usableFromInline
    func withStorage<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        if storage.count < count { storage = [Float](repeating: 0, count: count) }
        return try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
