import Tensor

/// Keras `Activation`: an activation function as a layer of its own, for the order Keras networks
/// write as `Conv2D(..., use_bias=False)`, `BatchNormalization()`, `Activation("relu")`, where the
/// nonlinearity comes after the normalization. `softmax` acts on the last axis, as Keras's does.
///
/// Legend: N batch, d1 ... dk the example's axes, C = dk the last one.
///
///     x (N, d1, ..., C) -> y = f(x) (N, d1, ..., C)
///
/// Forward copies x into the layer's buffer and applies f there (x is another layer's buffer, which
/// that layer may still read in its backward); backward takes dy through f' computed from the kept
/// output (`Activation.backward`: the full Jacobian for softmax). `linear` passes x and dy through.
public final class ActivationLayer: Layer {
    public var name = "activation"
    public var kind: String { "Activation" }
    public let activation: Activation

    private var output = Tensor.empty         // y, the same shape as x
    private var inputGradient = Tensor.empty  // dx, the same shape

    /// Shape: (N, ...) -> (N, ...).
    public init(_ activation: Activation) {
        self.activation = activation
    }

    /// The input shape; throws for an empty shape or an empty axis.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Activation): input shape \(inputShape) needs at least one axis, all positive")
        }
        return inputShape
    }

    /// y = f(x) in this layer's buffer (x itself for `linear`). Shape: x (N, ..., C) -> y (N, ..., C).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 2 && x.count > 0, "\(name): input \(x.shape) needs a batch axis and an example axis")
        if activation == .linear { return x }
        output.ensureShape(x.shape)
        let columns = x.shape[x.rank - 1]
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                yp.baseAddress!.update(from: xp.baseAddress!, count: xp.count)
                activation.apply(yp.baseAddress!, rows: xp.count / columns, columns: columns)
            }
        }
        return output
    }

    /// dx = dy * f' (the softmax's Jacobian row by row). Shape: dy (N, ..., C) -> dx (N, ..., C).
    public func backward(_ dy: Tensor) -> Tensor {
        if activation == .linear { return dy }
        precondition(dy.shape == output.shape, "\(name): backward got dy \(dy.shape), last output was \(output.shape)")
        return activation.preActivationGradient(dy, output: output, columns: dy.shape[dy.rank - 1],
                                                into: &inputGradient)
    }
}
