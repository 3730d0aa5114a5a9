import Tensor

/// Scratch memory shared by layers that need a temporary buffer inside one call (im2col patches,
/// the Winograd passes' padded input, V and M).
///
/// A `Sequential` model gives all its conv layers one workspace, sized by the largest request, so
/// the model holds a single scratch buffer (darknet's `net->workspace`). Contents never survive a
/// call. The buffer starts on a cache line (`AlignedFloats`): the Winograd transforms load and store
/// 16-float vectors at multiples of 16 floats from its start.
public final class Workspace {
    private let storage = AlignedFloats()

    public init() {}

    /// Floats currently reserved.
    public var capacity: Int { storage.count }

    /// Runs `body` with a buffer of at least `count` floats, 64-byte aligned; grows (once) when too
    /// small, zero-filled when it grows.
    @inlinable
    public func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try body(buffer(count: count))
    }

    @usableFromInline
    func buffer(count: Int) -> UnsafeMutablePointer<Float> { storage.reserve(count) }
}
