/// A growable float buffer whose first element starts on a 64-byte boundary: one cache line, one
/// AVX-512 vector.
///
/// A Swift array's elements start wherever the allocator put the array, 16, 32 or 48 bytes past a
/// cache line as often as on one, and then every 16-float vector load or store at a multiple of 16
/// floats from the start spans two lines. The Winograd transforms and the products after them work in
/// such vectors, so their scratch and transformed kernels live here (on the Intel VM a training step's
/// input transform took 1.6x longer on the replica whose scratch was 16 bytes off a line).
public final class AlignedFloats {
    /// Bytes the first element is aligned to.
    public static let alignment = 64

    /// The first element; valid for `count` floats until the next `reserve` that grows the buffer.
    public private(set) var pointer: UnsafeMutablePointer<Float>?
    /// Floats held.
    public private(set) var count = 0

    public init() {}

    deinit { pointer?.deallocate() }

    /// Makes room for at least `needed` floats and returns the first. A buffer that grows is
    /// reallocated and zero-filled (earlier contents are not kept); a smaller request keeps it as it is.
    @discardableResult
    public func reserve(_ needed: Int) -> UnsafeMutablePointer<Float> {
        if let pointer, needed <= count { return pointer }
        pointer?.deallocate()
        let grown = max(needed, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: grown * MemoryLayout<Float>.stride,
                                                   alignment: AlignedFloats.alignment)
        let floats = raw.initializeMemory(as: Float.self, repeating: 0, count: grown)
        pointer = floats
        count = grown
        return floats
    }
}
