import Tensor

/// The per-element factors of a multiplicative dropout layer's last forward pass (Dropout's mask of
/// 0 or 1 / (1 - rate), GaussianDropout's 1-centred noise), its output, and the backward pass they
/// give. The layers differ only in how they draw the factors.
///
///     training, rate > 0:  y = x * m   (N, ...),  dx = dy * m
///     otherwise:           y = x,                 dx = dy   (nothing multiplied, no copy)
struct ElementwiseFactors {
    /// m (N, ...), the factors of the last training pass.
    private(set) var factors = Tensor.empty
    /// y = x * m.
    private(set) var output = Tensor.empty
    /// Whether the last forward multiplied.
    private(set) var applied = false
    private var inputGradient = Tensor.empty  // dx = dy * m, sized by the first backward

    /// Starts a forward pass of x: whether it multiplies (training with `rate` > 0) and, when it does,
    /// whether it needs new factors (not when `frozen` keeps the last ones for an input of the same
    /// shape). Sizes the factors and the output for x.
    mutating func begin(_ x: Tensor, training: Bool, rate: Float, frozen: Bool) -> (multiply: Bool, fresh: Bool) {
        applied = training && rate > 0
        guard applied else { return (false, false) }
        let fresh = !(frozen && factors.shape == x.shape)
        factors.ensureShape(x.shape)
        output.ensureShape(x.shape)
        return (true, fresh)
    }

    /// The factors and the output as buffers, for a layer that draws m and writes y = x * m in one pass.
    mutating func withFactorsAndOutput<R>(_ body: (UnsafeMutableBufferPointer<Float>,
                                                   UnsafeMutableBufferPointer<Float>) -> R) -> R {
        factors.data.withUnsafeMutableBufferPointer { m in output.data.withUnsafeMutableBufferPointer { y in body(m, y) } }
    }

    /// The factors as a buffer, to draw them in place.
    mutating func withFactors<R>(_ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        factors.data.withUnsafeMutableBufferPointer { body($0) }
    }

    /// y = x * m with the current factors.
    mutating func multiply(_ x: Tensor) -> Tensor {
        Tensor.multiply(x, by: factors, into: &output)
        return output
    }

    /// dx = dy * m after a pass that multiplied, `dy` itself otherwise; `layer` names the layer in
    /// the shape check.
    mutating func backward(_ dy: Tensor, layer: String) -> Tensor {
        guard applied else { return dy }
        precondition(dy.shape == factors.shape,
                     "\(layer): backward got dy \(dy.shape), last factors were \(factors.shape) (forward first)")
        Tensor.multiply(dy, by: factors, into: &inputGradient)
        return inputGradient
    }
}
