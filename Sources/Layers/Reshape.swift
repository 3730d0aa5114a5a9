import Tensor

/// Keras `Reshape(target_shape)`: the axes after the batch rearranged into `targetShape`, the elements
/// in the same row-major order (one axis may be -1: the size that keeps the element count).
///
///     x (N, d1, d2, ...) -> y (N, targetShape...),  prod(d) = prod(targetShape)
///
/// Tensors are row-major and contiguous, so both passes are reshapes sharing the argument's storage.
/// A descriptor row of a map (`envelope_lines`: 10,000 values) becomes the (50, 200, 1) image a
/// convolution reads.
public final class Reshape: Layer {
    public var name = "reshape"
    public var kind: String { "Reshape" }
    /// The per-example output shape as configured (at most one -1).
    public let targetShape: [Int]

    private var inputShape: [Int] = []        // the last forward's x.shape, for backward
    private var outShape: [Int] = []          // (N, resolved target) for `inputShape`

    /// Shape: (N, ...) -> (N, targetShape...).
    public init(targetShape: [Int]) {
        precondition(!targetShape.isEmpty && targetShape.allSatisfy { $0 > 0 || $0 == -1 }
                     && targetShape.filter({ $0 == -1 }).count <= 1, "Reshape: target shape \(targetShape)")
        self.targetShape = targetShape
    }

    /// `targetShape` with its -1 resolved for `inputShape`; throws when the element counts cannot match.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let count = Tensor.elementCount(inputShape)
        guard !inputShape.isEmpty, count > 0 else {
            throw ShapeError("\(name) (Reshape): input shape \(inputShape) needs at least one axis, all positive")
        }
        guard let known = ActivationBudget.elementCount(targetShape.filter { $0 != -1 }) else {
            throw ShapeError("\(name) (Reshape): target shape \(targetShape) holds more values than an Int counts")
        }
        if targetShape.contains(-1) {
            guard count % known == 0 else {
                throw ShapeError("\(name) (Reshape): \(count) values of input shape \(inputShape) do not fill "
                                 + "target shape \(targetShape)")
            }
            return targetShape.map { $0 == -1 ? count / known : $0 }
        }
        guard known == count else {
            throw ShapeError("\(name) (Reshape): target shape \(targetShape) holds \(known) values, input shape "
                             + "\(inputShape) has \(count)")
        }
        return targetShape
    }

    /// Shape: x (N, d...) -> y (N, target...), sharing x's storage.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 1, "\(name): input \(x.shape) has no batch axis")
        if x.shape != inputShape {
            let resolved: [Int]
            do { resolved = try outputShape(for: Array(x.shape.dropFirst())) } catch {
                preconditionFailure("\(error)")
            }
            inputShape = x.shape
            outShape = [x.shape[0]] + resolved
        }
        return x.reshaped(outShape)
    }

    /// Shape: dy (N, target...) -> dx (N, d...), sharing dy's storage.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.count == Tensor.elementCount(inputShape) && !inputShape.isEmpty,
                     "\(name): backward got dy \(dy.shape) for input \(inputShape) (forward first)")
        return dy.reshaped(inputShape)
    }
}
