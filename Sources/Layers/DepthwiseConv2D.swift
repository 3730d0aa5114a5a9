import Tensor

/// A depthwise 2-D convolution, Keras `DepthwiseConv2D` (channels_last, TensorFlow padding rules,
/// `dilation_rate` 1): each input channel convolved with its own `depthMultiplier` filters, no sum
/// over channels; the spatial half of a depthwise-separable network (MobileNet, DS-CNN keyword
/// spotting).
///
/// Legend: N batch, H W C input, KH KW kernel, M depth multiplier, O = C * M output channels,
/// OH OW output, R = N*OH*OW output pixels.
///
///     x (N, H, W, C) -> y (N, OH, OW, O)        kernel (KH, KW, C, M), bias (O); channel o = c*M + m
///     valid: OH = (H - KH) / SH + 1             same: OH = ceil(H / SH)   (and the same for widths)
///
/// Forward, kernel gradient and input gradient are Tensor's `DepthwiseConvolution` loops (no
/// products); bias and activation follow in one pass, and backward takes dz through the activation
/// and the bias gradient as column sums of dz (R, O) first. Kernel `glorot_uniform` with Keras's fans
/// for the (KH, KW, C, M) shape (fanIn = KH*KW*C, fanOut = KH*KW*M), bias zeros. `SeparableConv2D`
/// holds one without bias, linear, its kernel named `depthwise_kernel`.
public final class DepthwiseConv2D: Layer, InputGradientOptional, BiasedLayer {
    public var name = "depthwise_conv2d"
    public var kind: String { "DepthwiseConv2D" }
    /// Kernel size, strides, padding and depth multiplier M.
    public let window: DepthwiseWindow
    public let activation: Activation
    /// (KH, KW, C, M), Keras weight `kernel` (`depthwise_kernel` inside a SeparableConv2D).
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (C * M), Keras weight `bias`; zeros and not a parameter without `useBias`.
    public let bias = Parameter(name: "bias", value: .empty)
    /// Keras `use_bias` (`BiasedLayer`).
    public let useBias: Bool
    public var parameters: [Parameter] { parameters(kernels: [kernel]) }

    private var input = Tensor.empty          // the last forward's x (a reference, not a copy)
    private var output = Tensor.empty         // y (N, OH, OW, O)
    private var outputGradient = Tensor.empty // dz = dy * f'(z); unused for linear
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var sizedFor: [Int] = []
    private var geometry: WindowGeometry?

    /// Shape: (N, H, W, C) -> (N, OH, OW, C * window.depthMultiplier).
    public init(_ window: DepthwiseWindow, activation: Activation = .linear, useBias: Bool = true) {
        self.window = window
        self.activation = activation
        self.useBias = useBias
    }

    /// (H, W, C) -> (OH, OW, C * M); throws when the output would be empty or a size is not positive.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try window.geometry(layer: name, kind: kind, inputShape: inputShape)
        return [g.outHeight, g.outWidth, g.channels * window.depthMultiplier]
    }

    /// KH * KW * C * M, and C * M for the bias.
    public func parameterCount(for inputShape: [Int]) -> Int {
        let o = ParameterBudget.product(inputShape.last ?? 0, window.depthMultiplier)
        return ParameterBudget.sum(ParameterBudget.product(window.kernelSize.0, window.kernelSize.1, o), useBias ? o : 0)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        let (c, m) = (inputShape[2], window.depthMultiplier)
        kernel.initialise(Initializer.glorotUniform.make([window.kernelSize.0, window.kernelSize.1, c, m], using: &rng))
        bias.initialise(Tensor(shape: [c * m], repeating: 0))
    }

    private func resize(for shape: [Int]) {
        precondition(shape.count == 4 && kernel.value.rank == 4 && shape[3] == kernel.value.shape[2],
                     "\(name): input \(shape) does not match kernel \(kernel.value.shape) (build first)")
        guard let g = try? window.geometry(layer: name, kind: kind, inputShape: Array(shape.dropFirst())) else {
            preconditionFailure("\(name): empty output for input \(shape)")
        }
        let outShape = [shape[0], g.outHeight, g.outWidth, g.channels * window.depthMultiplier]
        output.ensureShape(outShape)
        geometry = g
        sizedFor = shape
    }

    /// y = f(depthwise(x) + b). Shape: x (N, H, W, C) -> y (N, OH, OW, O), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.count > 0, "\(name): empty input \(x.shape)")
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, m = window.depthMultiplier, o = g.channels * m
        input = x
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { kp in
                output.data.withUnsafeMutableBufferPointer { yp in
                    bias.value.data.withUnsafeBufferPointer { bp in
                        DepthwiseConvolution.forward(xp.baseAddress!, kernel: kp.baseAddress!,
                                                     bias: useBias ? bp.baseAddress! : nil, batch: x.shape[0],
                                                     geometry: g, multiplier: m, output: yp.baseAddress!)
                    }
                    activation.apply(yp.baseAddress!, rows: yp.count / o, columns: o)
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// dz = dy * f'; bias.grad += column sums of dz; kernel.grad += the depthwise kernel gradient; dx
    /// (when asked) the depthwise input gradient. Shape: dy (N, OH, OW, O) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor, inputGradient wanted: Bool) -> Tensor {
        precondition(dy.shape == output.shape && input.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let g = geometry!, n = input.shape[0], m = window.depthMultiplier, o = g.channels * m
        let dz = activation.preActivationGradient(dy, output: output, columns: o, into: &outputGradient)
        dz.data.withUnsafeBufferPointer { dzp in
            let dz = dzp.baseAddress!
            accumulateBiasGradient(dz, rows: dzp.count / o, columns: o)
            input.data.withUnsafeBufferPointer { xp in
                kernel.grad.data.withUnsafeMutableBufferPointer { gk in
                    DepthwiseConvolution.accumulateKernelGradient(xp.baseAddress!, outputGradient: dz, batch: n,
                                                                  geometry: g, multiplier: m, into: gk.baseAddress!)
                }
            }
            guard wanted else { return }
            inputGradient.ensureShape(input.shape)           // sized on first use: not at inference
            kernel.value.data.withUnsafeBufferPointer { kp in
                inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                    DepthwiseConvolution.inputGradient(dz, kernel: kp.baseAddress!, batch: n, geometry: g,
                                                       multiplier: m, into: dxp.baseAddress!)
                }
            }
        }
        return wanted ? inputGradient : .empty
    }

    public func releaseCache() { input = .empty }
}

/// The sweep of a depthwise kernel: Keras's `kernel_size`, `strides`, `padding` and `depth_multiplier`,
/// shared by DepthwiseConv2D and SeparableConv2D.
public struct DepthwiseWindow: Equatable, Sendable {
    /// (KH, KW).
    public var kernelSize: (Int, Int)
    /// (SH, SW).
    public var strides: (Int, Int)
    public var padding: Padding
    /// M, the filters per input channel.
    public var depthMultiplier: Int

    public init(kernelSize: (Int, Int) = (3, 3), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                depthMultiplier: Int = 1) {
        (self.kernelSize, self.strides, self.padding, self.depthMultiplier) = (kernelSize, strides, padding, depthMultiplier)
    }

    public static func == (a: DepthwiseWindow, b: DepthwiseWindow) -> Bool {
        a.kernelSize == b.kernelSize && a.strides == b.strides && a.padding == b.padding
            && a.depthMultiplier == b.depthMultiplier
    }

    /// The sweep over an (H, W, C) input, or a ShapeError naming the layer and the shapes.
    func geometry(layer: String, kind: String, inputShape: [Int]) throws -> WindowGeometry {
        guard depthMultiplier > 0 else {
            throw ShapeError("\(layer) (\(kind)): depth_multiplier \(depthMultiplier) must be positive")
        }
        return try WindowGeometry.checked(layer: layer, kind: kind, inputShape: inputShape, window: kernelSize,
                                          windowName: "kernel_size", strides: strides, padding: padding)
    }
}
