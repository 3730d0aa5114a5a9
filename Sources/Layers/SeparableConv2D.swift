import Tensor

/// A depthwise-separable 2-D convolution, Keras `SeparableConv2D` (channels_last, TensorFlow padding
/// rules, `dilation_rate` 1): a depthwise convolution (each input channel with its own M filters, no
/// bias) followed by a pointwise 1 x 1 convolution mixing the C * M channels into F, then the bias
/// and the activation. Far fewer weights and multiplications than a `Conv2D` of the same shape
/// (KH*KW*C*M + C*M*F against KH*KW*C*F): the building block of DS-CNN keyword-spotting networks.
///
/// Legend: N batch, H W C input, KH KW kernel, M depth multiplier, O = C * M depthwise channels, F
/// filters, OH OW output, R = N*OH*OW output pixels.
///
///     x (N, H, W, C) -> d (N, OH, OW, O) -> y (N, OH, OW, F)
///     depthwise_kernel (KH, KW, C, M), pointwise_kernel (1, 1, O, F), bias (F)
///     d = depthwise(x);   y (R, F) = f(d (R, O) * pointwise (O, F) + bias)
///
/// The depthwise half is a `DepthwiseConv2D` without bias (its kernel named `depthwise_kernel`), the
/// pointwise half one product. Backward: dz = dy * f', bias gradient (column sums), pointwise
/// gradient d^T (O, R) dz (R, F), dd (R, O) = dz pointwise^T, then the depthwise half's backward from
/// dd (its input gradient only when asked). Both kernels `glorot_uniform` with Keras's fans for their
/// 4-D shapes, bias zeros.
public final class SeparableConv2D: Layer, InputGradientOptional, BiasedLayer {
    public var name = "separable_conv2d"
    public var kind: String { "SeparableConv2D" }
    /// Output channels F.
    public let filters: Int
    public let activation: Activation
    /// The depthwise half: the window (kernel size, strides, padding, M), linear, no bias.
    public let depthwise: DepthwiseConv2D
    /// (KH, KW, C, M), Keras weight `depthwise_kernel`: the depthwise half's kernel.
    public var depthwiseKernel: Parameter { depthwise.kernel }
    /// (1, 1, C * M, F), Keras weight `pointwise_kernel`; row-major it is the (O, F) matrix of the product.
    public let pointwiseKernel = Parameter(name: "pointwise_kernel", value: .empty)
    /// (F), Keras weight `bias`; zeros and not a parameter without `useBias`.
    public let bias = Parameter(name: "bias", value: .empty)
    /// Keras `use_bias` (`BiasedLayer`).
    public let useBias: Bool
    public var parameters: [Parameter] { parameters(kernels: [depthwiseKernel, pointwiseKernel]) }

    private var depthwiseOutput = Tensor.empty   // d (N, OH, OW, O): the depthwise half's buffer, kept for backward
    private var output = Tensor.empty            // y (N, OH, OW, F)
    private var outputGradient = Tensor.empty    // dz = dy * f'(z); unused for linear
    private var depthwiseGradient = Tensor.empty // dd (N, OH, OW, O)

    /// Shape: (N, H, W, C) -> (N, OH, OW, filters).
    public init(filters: Int, _ window: DepthwiseWindow, activation: Activation = .linear, useBias: Bool = true) {
        self.filters = filters
        self.activation = activation
        self.useBias = useBias
        depthwise = DepthwiseConv2D(window, activation: .linear, useBias: false)
        depthwise.kernel.name = "depthwise_kernel"
    }

    /// (H, W, C) -> (OH, OW, F); throws when the output would be empty or a size is not positive.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard filters > 0 else { throw ShapeError("\(name) (\(kind)): filters \(filters) must be positive") }
        let g = try depthwise.window.geometry(layer: name, kind: kind, inputShape: inputShape)
        return [g.outHeight, g.outWidth, filters]
    }

    /// The depthwise kernel's KH * KW * C * M, the pointwise kernel's C * M * F, and F for the bias.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.sum(depthwise.parameterCount(for: inputShape),
                ParameterBudget.product(inputShape.last ?? 0, depthwise.window.depthMultiplier, filters), useBias ? filters : 0)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        try depthwise.build(inputShape: inputShape, using: &rng)
        pointwiseKernel.initialise(Initializer.glorotUniform.make([1, 1, depthwiseKernel.value.shape[2]
                                                                   * depthwiseKernel.value.shape[3], filters], using: &rng))
        bias.initialise(Tensor(shape: [filters], repeating: 0))
    }

    /// d = depthwise(x); y = f(d pointwise + b). Shape: x (N, H, W, C) -> y (N, OH, OW, F), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        depthwiseOutput = .empty      // so that the depthwise half writes its buffer in place, not a copy
        let d = depthwise.forward(x, training: training)
        let o = d.shape[3], rows = d.count / o
        output.ensureShape(Array(d.shape.dropLast()) + [filters])
        depthwiseOutput = d
        d.data.withUnsafeBufferPointer { dp in
            pointwiseKernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        // y (R, F) = d (R, O) * pointwise (O, F)
                        gemm(m: rows, n: filters, k: o, a: dp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                        addBiasAndActivate(yp.baseAddress!, rows: rows, columns: filters, bias: bp.baseAddress!,
                                           activation: activation)
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// dz = dy * f'; bias.grad += column sums of dz; pointwise.grad += d^T dz; dd = dz pointwise^T;
    /// then the depthwise half's backward from dd. Shape: dy (N, OH, OW, F) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor, inputGradient wanted: Bool) -> Tensor {
        precondition(dy.shape == output.shape && depthwiseOutput.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let o = depthwiseOutput.shape[3], rows = depthwiseOutput.count / o
        depthwiseGradient.ensureShape(depthwiseOutput.shape)
        let dz = activation.preActivationGradient(dy, output: output, columns: filters, into: &outputGradient)
        dz.data.withUnsafeBufferPointer { dzp in
            let dz = dzp.baseAddress!
            accumulateBiasGradient(dz, rows: rows, columns: filters)
            depthwiseOutput.data.withUnsafeBufferPointer { dp in
                pointwiseKernel.grad.data.withUnsafeMutableBufferPointer { gw in
                    // pointwise.grad (O, F) += d^T (O, R) dz (R, F)
                    gemm(transA: true, m: o, n: filters, k: rows, a: dp.baseAddress!, b: dz, beta: 1, c: gw.baseAddress!)
                }
            }
            pointwiseKernel.value.data.withUnsafeBufferPointer { wp in
                depthwiseGradient.data.withUnsafeMutableBufferPointer { ddp in
                    // dd (R, O) = dz (R, F) pointwise^T (F, O)
                    gemm(transB: true, m: rows, n: o, k: filters, a: dz, b: wp.baseAddress!, c: ddp.baseAddress!)
                }
            }
        }
        return depthwise.backward(depthwiseGradient, inputGradient: wanted)
    }

    public func releaseCache() {
        depthwise.releaseCache()
        depthwiseOutput = .empty
    }

    /// Forward: y (R, F) = d (R, O) pointwise (O, F). Backward: pointwise.grad (O, F) += d^T dz and
    /// dd (R, O) = dz pointwise^T (which the depthwise kernel gradient needs, so it stays without the
    /// input gradient). The depthwise loops are not products.
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        guard let shape = try? outputShape(for: inputShape) else { return LayerProducts() }
        let rows = n * shape[0] * shape[1], o = inputShape[2] * depthwise.window.depthMultiplier
        return LayerProducts(forward: [MatrixProduct("y", m: rows, n: filters, k: o)],
                             backward: [MatrixProduct("dW", m: o, n: filters, k: rows, transA: true),
                                        MatrixProduct("dd", m: rows, n: o, k: filters, transB: true)])
    }
}
