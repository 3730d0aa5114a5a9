import Tensor

/// A fully connected layer, Keras `Dense`: y = f(x W + b) on the last axis.
///
/// Legend: R rows = every leading index of the input flattened (N, or N*T for a rank-3 input),
/// D input features, U units.
///
///     x (N, D) -> y (N, U)        x (N, T, D) -> y (N, T, U)        kernel (D, U), bias (U)
///
/// A rank-3 input is one product over all N*T rows, as Keras does (and as TimeDistributed(Dense)
/// needs). Kernel `glorot_uniform`, bias zeros.
public final class Dense: Layer {
    public var name = "dense"
    public var kind: String { "Dense" }
    /// Output features U.
    public let units: Int
    /// Applied after the bias.
    public let activation: Activation
    /// (D, U), Keras weight `kernel`.
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (U), Keras weight `bias`; zeros and not a parameter without `useBias`.
    public let bias = Parameter(name: "bias", value: .empty)
    /// Keras `use_bias` (`BiasedLayer`).
    public let useBias: Bool
    public var parameters: [Parameter] { parameters(kernels: [kernel]) }

    private var input = Tensor.empty          // the last forward's x (a reference, not a copy)
    private var output = Tensor.empty         // y (R, U) in the input's leading shape
    private var outputGradient = Tensor.empty // dz = dy * f'(z) (R, U), unused for linear
    private var inputGradient = Tensor.empty  // dx, the input's shape
    private var sizedFor: [Int] = []          // input shape the buffers above were sized for
    private var forwardProduct: SmallMatrixProduct? // y = x kernel for sizedFor, by libxsmm (nil: gemm)
    private var inferenceProduct: PanelledMatrixProduct? // the same in inference, on panels of a kernel copy (nil: as training)
    private var inputGradientProduct: SmallMatrixProduct? // dx^T = kernel dz^T for sizedFor (nil: gemm)
    private var transposedGradient = Tensor.empty       // dz^T (U, R) for inputGradientProduct
    private var transposedInputGradient = Tensor.empty  // dx^T (D, R), transposed into inputGradient

    /// A layer of `units` outputs. Shape: (N, ..., D) -> (N, ..., units).
    public init(units: Int, activation: Activation = .linear, useBias: Bool = true) {
        self.useBias = useBias
        self.units = units
        self.activation = activation
    }

    /// `inputShape` without the batch: (D) or (T, D), or any rank >= 1; the last axis is replaced.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard units > 0 else { throw ShapeError("\(name) (Dense): units must be positive, got \(units)") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Dense): input shape \(inputShape) needs at least one axis, all positive")
        }
        return inputShape.dropLast() + [units]
    }

    /// D * U, and U for the bias.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.sum(ParameterBudget.product(inputShape.last ?? 0, units), useBias ? units : 0)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        let d = inputShape.last!
        kernel.initialise(Initializer.glorotUniform.make([d, units], using: &rng))
        bias.initialise(Tensor(shape: [units], repeating: 0))
    }

    /// Kernels larger than this many floats (an L1 data cache's 32 KiB) are read by inference from a
    /// copy in column panels (`PanelledMatrixProduct`), made again only when the kernel changes.
    ///
    /// In place, a large kernel streams through the product from L2 or L3 at whatever offset from a
    /// cache line the array's allocator gave it (48 bytes for an array of a megabyte and more), so that
    /// vector loads span two lines. One core of an AMD EPYC Zen 3, (16, 3072) x (3072, 128), the
    /// reference CNN's dense layer: libxsmm on the kernel in place 258-369 us (198-202 on a line),
    /// OpenBLAS 178-210 us, libxsmm on 32-column panels 135-159 us. Training keeps the in-place
    /// product: its kernel changes at every step, and the copy (1.5 MB here) would cost what the
    /// panels save. Smaller kernels stay in L1 and read as fast in place at any offset.
    public static let panelledInferenceFloats = 8_192

    /// y = f(x W + b): one gemm, then bias and activation in one pass over the rows.
    /// Shape: x (N, ..., D) -> y (N, ..., U); the result is this layer's buffer, reused by the next call.
    /// With `training` false and a kernel of more than `panelledInferenceFloats`, the product runs on
    /// panels of a copy of the kernel (`PanelledMatrixProduct`, copied again after each change of the
    /// kernel's `Parameter.version`), which rounds as libxsmm's kernel over the whole width does.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let d = kernel.value.shape.first ?? 0
        precondition(kernel.value.rank == 2 && x.rank >= 2 && x.count > 0 && x.shape.last == d
                     && kernel.value.shape[1] == units && bias.value.count == units,
                     "\(name): input \(x.shape) does not match kernel \(kernel.value.shape) (build first)")
        if x.shape != sizedFor { resize(for: x.shape) }
        input = x
        let rows = x.count / d, u = units
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        // y (R, U) = x (R, D) * kernel (D, U): in inference on panels of a kernel copy
                        // when the kernel is large; else libxsmm's kernel for this shape where it is the
                        // faster library on this CPU (`SmallMatrixProduct.preferred`), else OpenBLAS
                        if !training, let inferenceProduct {
                            inferenceProduct.pack(wp.baseAddress!, version: kernel.version)
                            inferenceProduct(a: xp.baseAddress!, c: yp.baseAddress!)
                        } else if let forwardProduct {
                            forwardProduct(a: xp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                        } else {
                            gemm(m: rows, n: u, k: d, a: xp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                        }
                        addBiasAndActivate(yp.baseAddress!, rows: rows, columns: u,
                                           bias: bp.baseAddress!, activation: activation)
                    }
                }
            }
        }
        return output
    }

    /// dz = dy * f'; kernel.grad += x^T dz; bias.grad += column sums of dz; returns dx = dz W^T.
    /// Shape: dy (N, ..., U) -> dx (N, ..., D).
    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// `backward(dy)`; without `inputGradient`, dx is left out and an empty tensor returned.
    public func backward(_ dy: Tensor, inputGradient: Bool) -> Tensor {
        precondition(dy.shape == output.shape && input.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let dz = activation.preActivationGradient(dy, output: output, columns: units, into: &outputGradient)
        return backpropagate(dz, inputGradient: inputGradient)
    }

    /// Backward from d loss / d pre-activation dz (the activation's Jacobian skipped): the fused
    /// softmax cross-entropy gradient p - y arrives here. Shape: dz (N, ..., U) -> dx (N, ..., D).
    public func backward(preActivationGradient dz: Tensor) -> Tensor {
        precondition(dz.shape == output.shape && input.count > 0,
                     "\(name): backward got dz \(dz.shape), last output was \(output.shape) (forward first)")
        return backpropagate(dz)
    }

    /// kernel.grad += x^T dz; bias.grad += column sums of dz; returns dx = dz W^T (empty without
    /// `inputGradient`).
    private func backpropagate(_ dzTensor: Tensor, inputGradient computeInputGradient: Bool = true) -> Tensor {
        let d = kernel.value.shape[0], u = units, rows = input.count / d
        dzTensor.data.withUnsafeBufferPointer { dzp in
            let dz = dzp.baseAddress!
            input.data.withUnsafeBufferPointer { xp in
                kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                    // kernel.grad (D, U) += x^T (D, R) * dz (R, U)
                    gemm(transA: true, m: d, n: u, k: rows, a: xp.baseAddress!, b: dz, beta: 1, c: gw.baseAddress!)
                }
            }
            accumulateBiasGradient(dz, rows: rows, columns: u)
            guard computeInputGradient else { return }
            // sized on first use, so that inference never allocates them
            inputGradient.ensureShape(input.shape)
            transposedGradient.ensureShape(inputGradientProduct == nil ? [0] : [u, rows])
            transposedInputGradient.ensureShape(inputGradientProduct == nil ? [0] : [d, rows])
            kernel.value.data.withUnsafeBufferPointer { wp in
                inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                    guard let inputGradientProduct else {
                        // dx (R, D) = dz (R, U) * kernel^T (U, D)
                        gemm(transB: true, m: rows, n: d, k: u, a: dz, b: wp.baseAddress!, c: dxp.baseAddress!)
                        return
                    }
                    // the same product transposed, dx^T (D, R) = kernel (D, U) * dz^T (U, R), where
                    // libxsmm reads the kernel as it is stored: OpenBLAS's dz kernel^T packs all of
                    // the kernel first (1.8x the time at (16, 128) x (128, 3072): BENCHMARKS.md)
                    transposedGradient.data.withUnsafeMutableBufferPointer { dzt in
                        transposedInputGradient.data.withUnsafeMutableBufferPointer { dxt in
                            transpose(dz, rows: rows, columns: u, into: dzt.baseAddress!)
                            inputGradientProduct(a: wp.baseAddress!, b: dzt.baseAddress!, c: dxt.baseAddress!)
                            transpose(dxt.baseAddress!, rows: d, columns: rows, into: dxp.baseAddress!)
                        }
                    }
                }
            }
        }
        return computeInputGradient ? inputGradient : .empty
    }

    public func releaseCache() { input = .empty }

    /// Forward y (R, U) = x (R, D) kernel (D, U); backward kernel.grad += x^T dz and dx (R, D) = dz kernel^T,
    /// issued as dx^T (D, R) = kernel dz^T when libxsmm has that kernel.
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        guard let d = inputShape.last else { return LayerProducts() }
        let rows = n * inputShape.dropLast().reduce(1, *), u = units
        var products = LayerProducts(forward: [MatrixProduct("y", m: rows, n: u, k: d)],
                                     backward: [MatrixProduct("dW", m: d, n: u, k: rows, transA: true)])
        if inputGradient {
            // as backward issues it: dx^T (D, R) = W (D, U) dz^T (U, R) when libxsmm has the kernel
            let transposed = rows > 0 && d > 0 && u > 0 && SmallMatrixProduct.preferred(m: d, n: rows, k: u, beta: 0) != nil
            products.backward.append(transposed ? MatrixProduct("dx^T", m: d, n: rows, k: u)
                                                : MatrixProduct("dx", m: rows, n: d, k: u, transB: true))
        }
        return products
    }

    /// Sizes the buffers for an input shape (first call, or a new batch size).
    private func resize(for shape: [Int]) {
        let outShape = Array(shape.dropLast()) + [units]
        output.ensureShape(outShape)
        let d = shape.last ?? 0, rows = shape.reduce(1, *) / max(d, 1)
        forwardProduct = rows > 0 && d > 0 ? SmallMatrixProduct.preferred(m: rows, n: units, k: d, beta: 0) : nil
        inferenceProduct = rows > 0 && d * units > Dense.panelledInferenceFloats
            ? PanelledMatrixProduct(m: rows, n: units, k: d, lda: d, ldc: units, beta: 0) : nil
        inputGradientProduct = rows > 0 && d > 0 ? SmallMatrixProduct.preferred(m: d, n: rows, k: units, beta: 0) : nil
        sizedFor = shape
    }
}

extension Dense: SoftmaxOutputLayer {}
extension Dense: InputGradientOptional {}
extension Dense: BiasedLayer {}

/// y (R, D) = f(y + bias) row by row, so each row is read once while it is in cache.
/// Shared by Dense and Conv2D (a conv output (N, OH, OW, F) is an (N*OH*OW, F) matrix).
func addBiasAndActivate(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                        bias: UnsafePointer<Float>, activation: Activation) {
    if activation == .linear {
        addRowBias(y, rows: rows, columns: columns, bias: bias)
        return
    }
    var row = y
    for _ in 0..<rows {
        for j in 0..<columns { row[j] += bias[j] }
        activation.apply(row, rows: 1, columns: columns)
        row += columns
    }
}
