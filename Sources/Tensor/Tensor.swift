import Foundation

/// A dense, row-major, contiguous array of `Float` with a shape.
///
/// Value semantics (copy-on-write through `[Float]`), no views and no strides: every kernel in
/// Earmark takes the buffer pointer once per call and indexes it with the row-major formula.
/// Shape legend used across the project: N batch, H height (frames), W width (coefficients),
/// C channels, K kernel rows, F filters, T time steps, U LSTM units, D features.
public struct Tensor: Equatable, Sendable {
    /// Extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// A tensor holding `data` in the given shape.
    /// - Precondition: the product of `shape` equals `data.count`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        precondition(Tensor.elementCount(shape) == data.count,
                     "Tensor shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: Tensor.elementCount(shape)))
    }

    /// An empty tensor of shape `[0]`, the state of a buffer that has not been sized yet.
    public static var empty: Tensor { Tensor(shape: [0], data: []) }

    /// Number of elements.
    @inlinable public var count: Int { data.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The product of the dimensions of `shape`.
    @inlinable public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The same elements in another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Gives the tensor `newShape`, reusing its storage when the element count is unchanged.
    ///
    /// This is how layers keep their buffers across training steps: the first call allocates, later
    /// calls with the same shape cost nothing. After a change of element count the contents are zeros,
    /// in the storage already held when it is large enough: a layer that alternates between the
    /// training batch and a larger evaluation batch keeps one buffer instead of freeing it and faulting
    /// fresh pages in at every switch (glibc returns large blocks to the kernel when they are freed).
    public mutating func ensureShape(_ newShape: [Int]) {
        if newShape == shape { return }
        let n = Tensor.elementCount(newShape)
        if n != data.count {
            data.removeAll(keepingCapacity: true)
            data.append(contentsOf: repeatElement(0, count: n))
        }
        shape = newShape
    }

    /// Changes the shape without touching the data. - Precondition: same element count.
    public mutating func reshape(_ newShape: [Int]) {
        precondition(Tensor.elementCount(newShape) == data.count,
                     "cannot reshape \(shape) (\(data.count) elements) to \(newShape)")
        shape = newShape
    }

    /// Sets every element to zero without reallocating.
    @inlinable public mutating func zero() {
        data.withUnsafeMutableBufferPointer { p in
            p.update(repeating: 0)
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = data.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(data.count > 8 ? ", ..." : "")])"
    }
}
