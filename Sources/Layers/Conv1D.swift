import Tensor

/// Keras `Conv1D`'s padding modes: `valid` and `same` as every convolution, and `causal`: K - 1 zero
/// steps before the sequence and none after, so that output step t reads input steps t - K + 1 ... t
/// only (with stride 1 the output has the input's length).
public enum SequencePadding: String, Sendable, CaseIterable {
    case valid, same, causal
}

/// A 1-D convolution over sequences, Keras `Conv1D` (channels_last, TensorFlow padding rules,
/// `dilation_rate` D: the kernel reads every D-th step, as the dilated causal stacks of WaveNet and
/// temporal convolutional networks do; strides 1 then, as Keras requires).
///
/// Legend: N batch, T time steps, C input channels, K kernel size, S stride, F filters, OT output
/// steps, P = K*C patch size, R = N*OT output rows.
///
///     x (N, T, C) -> y (N, OT, F)        kernel (K, C, F), bias (F)
///     EK = (K - 1) * D + 1, the steps one kernel spans
///     valid: OT = (T - EK) / S + 1       same: OT = ceil(T / S), the odd padding step at the end
///     causal: OT = (T - 1) / S + 1, EK - 1 padding steps before the first
///
/// The sequence is a (T, 1) image with C channels, so the 2-D `WindowGeometry`, `im2col` and
/// `col2im` serve unchanged: forward is im2col of the whole batch into `workspace`, then ONE product
/// cols (R, P) x kernel (P, F) that is already the (N, OT, F) output; bias and activation follow in
/// one pass. Backward: dz through the activation, the bias gradient (column sums), the kernel gradient
/// cols^T dz (cols recomputed: the workspace is shared), then dcols = dz kernel^T and dx = col2im(dcols).
/// Kernel `glorot_uniform` with Keras fans (fanIn = K*C, fanOut = K*F), bias zeros.
public final class Conv1D: Layer {
    public var name = "conv1d"
    public var kind: String { "Conv1D" }
    /// Output channels F.
    public let filters: Int
    /// K, the number of time steps under the kernel.
    public let kernelSize: Int
    /// S, the step between two kernel positions.
    public let strides: Int
    /// D, the step between two kernel taps (Keras `dilation_rate`).
    public let dilationRate: Int
    public let padding: SequencePadding
    public let activation: Activation
    /// (K, C, F), Keras weight `kernel`; row-major it is the (P, F) matrix of the product.
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (F), Keras weight `bias`; zeros and not a parameter without `useBias`.
    public let bias = Parameter(name: "bias", value: .empty)
    /// Keras `use_bias` (`BiasedLayer`).
    public let useBias: Bool
    public var parameters: [Parameter] { parameters(kernels: [kernel]) }

    /// Scratch for the im2col patches (R*P floats), reused by forward and backward. `Sequential`
    /// gives all its layers that need scratch one shared instance; nothing in it survives a call.
    public var workspace = Workspace()

    private var input = Tensor.empty          // the last forward's x (a reference, not a copy)
    private var output = Tensor.empty         // y (N, OT, F)
    private var outputGradient = Tensor.empty // dz = dy * f'(z), same shape as y; unused for linear
    private var inputGradient = Tensor.empty  // dx (N, T, C)
    private var sizedFor: [Int] = []          // input shape the buffers were sized for
    private var geometry: WindowGeometry?     // the (T, 1) image sweep for `sizedFor`

    /// A convolution with `filters` output channels. Shape: (N, T, C) -> (N, OT, filters).
    public init(filters: Int, kernelSize: Int, strides: Int = 1, padding: SequencePadding = .valid,
                activation: Activation = .linear, useBias: Bool = true, dilationRate: Int = 1) {
        self.useBias = useBias
        self.dilationRate = dilationRate
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    /// (T, C) -> (OT, F); throws when the output would be empty or a size is not positive.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try geometry(for: inputShape)
        return [g.outHeight, filters]
    }

    /// K * C * F, and F for the bias.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.sum(ParameterBudget.product(kernelSize, inputShape.last ?? 0, filters), useBias ? filters : 0)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        let g = try geometry(for: inputShape)
        let shape = [kernelSize, g.channels, filters]
        kernel.initialise(Initializer.glorotUniform.make(shape, using: &rng))
        bias.initialise(Tensor(shape: [filters], repeating: 0))
    }

    /// The sweep of the kernel over a (T, C) input seen as a (T, 1, C) image, or a ShapeError naming
    /// the layer and the shapes.
    private func geometry(for inputShape: [Int]) throws -> WindowGeometry {
        guard filters > 0, kernelSize > 0, strides > 0, dilationRate > 0 else {
            throw ShapeError("\(name) (Conv1D): filters \(filters), kernel_size \(kernelSize), strides \(strides) "
                             + "and dilation_rate \(dilationRate) must be positive")
        }
        guard dilationRate == 1 || strides == 1 else {
            throw ShapeError("\(name) (Conv1D): dilation_rate \(dilationRate) with strides \(strides): a dilated kernel "
                             + "takes strides 1 (as in Keras)")
        }
        guard inputShape.count == 2, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Conv1D): expects input (time steps, channels), all positive, got \(inputShape)")
        }
        let sweep: WindowGeometry?
        switch padding {
        case .valid, .same:
            sweep = WindowGeometry(height: inputShape[0], width: 1, channels: inputShape[1], kernel: (kernelSize, 1),
                                   strides: (strides, 1), padding: padding == .same ? .same : .valid,
                                   dilation: (dilationRate, 1))
        case .causal:
            sweep = WindowGeometry(height: inputShape[0], width: 1, channels: inputShape[1], kernel: (kernelSize, 1),
                                   strides: (strides, 1), padTop: (kernelSize - 1) * dilationRate, padLeft: 0,
                                   dilation: (dilationRate, 1))
        }
        guard let g = sweep else {
            throw ShapeError("\(name) (Conv1D): kernel_size \(kernelSize) with strides \(strides) and padding "
                             + "\(padding.rawValue) gives an empty output for input \(inputShape)")
        }
        return g
    }

    /// Sizes the buffers for an input shape (first call, or a new batch size).
    private func resize(for shape: [Int]) {
        precondition(shape.count == 3 && kernel.value.rank == 3 && shape[2] == kernel.value.shape[1],
                     "\(name): input \(shape) does not match kernel \(kernel.value.shape) (build first)")
        guard let g = try? geometry(for: Array(shape.dropFirst())) else {
            preconditionFailure("\(name): empty output for input \(shape)")
        }
        let outShape = [shape[0], g.outHeight, filters]
        output.ensureShape(outShape)
        geometry = g
        sizedFor = shape
    }

    /// y = f(conv(x) + b). Shape: x (N, T, C) -> y (N, OT, F), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.count > 0, "\(name): empty input \(x.shape)")
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, n = x.shape[0], f = filters
        let rows = n * g.outHeight, p = g.patchSize
        precondition(kernel.value.count == p * f && bias.value.count == f,
                     "\(name): kernel \(kernel.value.shape) / bias \(bias.value.shape) do not match (\(p), \(f))")
        input = x
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        workspace.withBuffer(count: rows * p) { cols in
                            // cols (R, P) <- x (N, T, C)
                            im2col(xp.baseAddress!, batch: n, geometry: g, cols: cols)
                            // y (R, F) = cols (R, P) * kernel (P, F)
                            gemm(m: rows, n: f, k: p, a: cols, b: wp.baseAddress!, c: yp.baseAddress!)
                        }
                        addBiasAndActivate(yp.baseAddress!, rows: rows, columns: f,
                                           bias: bp.baseAddress!, activation: activation)
                    }
                }
            }
        }
        return output
    }

    /// dz = dy * f'; bias.grad += column sums of dz; kernel.grad += cols^T dz; dx = col2im(dz kernel^T).
    /// Shape: dy (N, OT, F) -> dx (N, T, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && input.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let dz = activation.preActivationGradient(dy, output: output, columns: filters, into: &outputGradient)
        dz.data.withUnsafeBufferPointer { dzp in
            let dz = dzp.baseAddress!
            accumulateBiasGradient(dz, rows: dzp.count / filters, columns: filters)
            accumulateKernelGradient(dz)
            computeInputGradient(dz)
        }
        return inputGradient
    }

    /// kernel.grad (P, F) += cols^T (P, R) dz (R, F), cols = im2col(x) remade in the workspace.
    private func accumulateKernelGradient(_ dz: UnsafePointer<Float>) {
        let g = geometry!, n = input.shape[0]
        let rows = n * g.outHeight, p = g.patchSize
        input.data.withUnsafeBufferPointer { xp in
            kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                workspace.withBuffer(count: rows * p) { cols in
                    im2col(xp.baseAddress!, batch: n, geometry: g, cols: cols)
                    gemm(transA: true, m: p, n: filters, k: rows, a: cols, b: dz, beta: 1, c: gw.baseAddress!)
                }
            }
        }
    }

    /// dcols (R, P) = dz (R, F) kernel^T (F, P) in the workspace, then dx (N, T, C) = col2im(dcols).
    private func computeInputGradient(_ dz: UnsafePointer<Float>) {
        inputGradient.ensureShape(input.shape)               // sized on first use: not at inference
        let g = geometry!, n = input.shape[0]
        let rows = n * g.outHeight, p = g.patchSize
        kernel.value.data.withUnsafeBufferPointer { wp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                workspace.withBuffer(count: rows * p) { cols in
                    gemm(transB: true, m: rows, n: p, k: filters, a: dz, b: wp.baseAddress!, c: cols)
                    col2im(cols, batch: n, geometry: g, dx: dxp.baseAddress!)
                }
            }
        }
    }

    public func releaseCache() { input = .empty }

    /// Forward: y (R, F) = cols (R, P) kernel (P, F). Backward: kernel.grad (P, F) += cols^T dz and,
    /// for the input gradient, dcols (R, P) = dz kernel^T.
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        guard let g = try? geometry(for: inputShape) else { return LayerProducts() }
        let rows = n * g.outHeight, p = g.patchSize, f = filters
        var products = LayerProducts(forward: [MatrixProduct("y", m: rows, n: f, k: p)],
                                     backward: [MatrixProduct("dW", m: p, n: f, k: rows, transA: true)])
        if inputGradient { products.backward.append(MatrixProduct("dx", m: rows, n: p, k: f, transB: true)) }
        return products
    }
}

extension Conv1D: WorkspaceUser {}
extension Conv1D: BiasedLayer {}
