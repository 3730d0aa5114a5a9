import Tensor

/// Keras `Flatten`: every axis after the batch merged into one, in row-major (h, w, c) order.
///
///     x (N, d1, d2, ...) -> y (N, d1 * d2 * ...)
///
/// Tensors are row-major and contiguous, so both passes are reshapes: the result shares the
/// argument's storage (no copy, no buffer of its own).
public final class Flatten: Layer {
    public var name = "flatten"
    public var kind: String { "Flatten" }

    private var inputShape: [Int] = []        // the last forward's x.shape, for backward
    private var flatShape: [Int] = []         // (N, prod) for `inputShape`, kept to avoid rebuilding it

    /// Shape: (N, ...) -> (N, product of the rest).
    public init() {}

    /// (d1, d2, ...) -> (d1 * d2 * ...); throws for an empty shape or an empty axis.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Flatten): input shape \(inputShape) needs at least one axis, all positive")
        }
        return [Tensor.elementCount(inputShape)]
    }

    /// Shape: x (N, d1, d2, ...) -> y (N, d1 * d2 * ...), sharing x's storage.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 1, "\(name): input \(x.shape) has no batch axis")
        if x.shape != inputShape {
            let n = x.shape[0]
            inputShape = x.shape
            flatShape = [n, x.shape.dropFirst().reduce(1, *)]
        }
        return x.reshaped(flatShape)
    }

    /// Shape: dy (N, prod) -> dx (N, d1, d2, ...), sharing dy's storage.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.count == Tensor.elementCount(inputShape) && !inputShape.isEmpty,
                     "\(name): backward got dy \(dy.shape) for input \(inputShape) (forward first)")
        return dy.reshaped(inputShape)
    }
}
