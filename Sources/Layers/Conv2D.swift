import Tensor

/// A 2-D convolution over NHWC images, Keras `Conv2D` (channels_last, TensorFlow padding rules).
///
/// Legend: N batch, H W C input, KH KW kernel, F filters, OH OW output, P = KH*KW*C patch size,
/// R = N*OH*OW output pixels.
///
///     x (N, H, W, C) -> y (N, OH, OW, F)        kernel (KH, KW, C, F), bias (F)
///     valid: OH = (H - KH) / SH + 1             same: OH = ceil(H / SH)   (WindowGeometry)
///
/// Forward is im2col of the whole batch into `workspace`, then ONE product
/// cols (R, P) x kernel (P, F) that is already the NHWC output; bias and activation follow in one pass.
/// A 3x3, stride-1 convolution with at least `winogradMinimumChannels` input channels computes its
/// forward pass by Winograd F(2x2, 3x3) instead (`Winograd3x3`: 16 multiplications per channel pair
/// and 2x2 output tile instead of 36; equal up to float rounding), and its kernel gradient by the
/// same transforms read backwards (`Winograd3x3.accumulateKernelGradient`: 16 instead of 36), and its
/// input gradient beside it by the forward's tiles run backwards (dV = (A dz A^T) U^T, then B dV B^T
/// added into the padded dx: no more products than forward). A convolution whose forward is im2col
/// but which has at least that many filters takes its input gradient by Winograd as the
/// convolution of dz with the flipped kernel.
/// When the computed output's sides are multiples of 4, forward and kernel gradient use F(4x4, 3x3)
/// tiles (`largeWinogradTiles`: 36 multiplications per channel pair and 4x4 tile instead of 144);
/// otherwise F(3x3, 3x3) tiles where they take fewer products than F(2x2, 3x3)'s
/// (`mediumWinogradTiles`: 25 per 3x3 tile instead of 81, the reference CNN's 9 x 13 convolutions).
/// A convolution of a one-channel input (the first layer on MFCC images) with a multiple of 16
/// filters runs forward and its kernel gradient directly (`SingleChannelConvolution`: each pixel's
/// filters as 16-wide lanes, one multiply-add per tap), without im2col.
/// A ReLU convolution with F(4x4, 3x3) tiles under a 2x2 max pool computes that pool in its training
/// forward and routes the pool's gradient in its backward (`poolFusion`): forward then returns the
/// pooled output.
/// Otherwise the kernel gradient is im2col and one product. Kernel `glorot_uniform` with Keras fans (fanIn = KH*KW*C,
/// fanOut = KH*KW*F), bias zeros.
public final class Conv2D: Layer {
    public var name = "conv2d"
    public var kind: String { "Conv2D" }
    /// Output channels F.
    public let filters: Int
    /// (KH, KW).
    public let kernelSize: (Int, Int)
    /// (SH, SW).
    public let strides: (Int, Int)
    /// (DH, DW), Keras `dilation_rate`: the kernel reads every DH-th row and DW-th column (strides 1 then).
    public let dilationRate: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    /// (KH, KW, C, F), Keras weight `kernel`; row-major it is the (P, F) matrix of the product.
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (F), Keras weight `bias`; zeros and not a parameter without `useBias`.
    public let bias = Parameter(name: "bias", value: .empty)
    /// Keras `use_bias` (`BiasedLayer`).
    public let useBias: Bool
    public var parameters: [Parameter] { parameters(kernels: [kernel]) }

    /// Input channels from which a 3x3 stride-1 convolution runs forward by Winograd (and filters
    /// from which its input gradient does): the 16 Winograd products have C as their inner dimension,
    /// too thin to pay below this (at 16, the reference CNN's conv2d_1 is already slightly faster by
    /// Winograd; its first convolution, with one channel, is not).
    public static let winogradMinimumChannels = 16

    /// Whether forward may use Winograd (when the geometry qualifies); off, it is always im2col.
    public var winogradEnabled = true
    /// Whether a one-channel convolution with a multiple of 16 filters runs forward and its kernel
    /// gradient by `SingleChannelConvolution`; off, by im2col and a product.
    public var singleChannelKernelsEnabled = true
    /// Whether a 1x1, stride-1 convolution (a pointwise one: im2col would copy x unchanged) multiplies x
    /// itself, and writes its input gradient's product straight into dx; off, it takes im2col and col2im.
    public var pointwiseWithoutIm2col = true
    /// Whether forward and the kernel gradient use F(4x4, 3x3) tiles when the computed output's
    /// height and width are multiples of 4 (the reference CNN's conv2d_3, cropped to 8 x 12): 36
    /// multiplications per 16 outputs instead of F(2x2, 3x3)'s 64. Off: always F(2x2, 3x3).
    public var largeWinogradTiles = true {
        didSet { sizedFor = [] }
    }
    /// Whether forward and the kernel gradient may use F(3x3, 3x3) tiles (Tensor/Winograd3x3Tiles.swift)
    /// where they take fewer products than F(2x2, 3x3)'s (`Winograd3x3.fewestProductsTile`): the
    /// reference CNN's 9 x 13 convolutions, 25 multiplications per 9 outputs instead of 36, edge tiles
    /// clipped. Off: F(2x2, 3x3) there.
    public var mediumWinogradTiles = true {
        didSet { sizedFor = [] }
    }

    /// When set, forward computes only the first `height` x `width` output rows and columns, and
    /// its output is (N, height, width, F); backward then takes dy of that shape. `Sequential` sets it
    /// when the next layer is a valid `MaxPool2D` that never reads the last row or column (a 9 x 13
    /// conv output under a 2 x 2 pool: 8 x 12 read, 18% of the work left out of forward and
    /// backward). `outputShape(for:)` still gives the full (Keras) shape.
    public var outputCrop: (height: Int, width: Int)? {
        didSet { sizedFor = [] }
    }

    /// When set, backward takes the gradient of the pre-activation z, not of the output y, and skips
    /// the activation's derivative: the next layer already applied it (a `MaxPool2D` with
    /// `rectifiesGradient` after this ReLU layer, as `Sequential` pairs them; one pass over dz fewer).
    public var receivesPreActivationGradient = false {
        didSet { sizedFor = [] }
    }

    /// When set, the input gradient this layer returns is already multiplied by the derivative of the
    /// ReLU whose output is this layer's input: dx stays where x > 0 and is 0 elsewhere (the Winograd
    /// input gradient does it in its output transform). `Sequential` sets it on a convolution after a
    /// ReLU `Conv2D`, together with that layer's `receivesPreActivationGradient`.
    public var rectifiesInputGradient = false

    /// Set by `Sequential` on a ReLU convolution followed by a 2x2, stride-2 valid `MaxPool2D` (the same
    /// instance on both). When the pooled output's sides are even and this layer's forward is by
    /// F(4x4, 3x3) Winograd tiles, each tile covers 2 x 2 pool windows: forward then returns the pooled
    /// output (N, OH / 2, OW / 2, F) and the pool passes it through; backward takes the pool's output
    /// gradient and routes it to each window's maximum itself (`PoolFusion`).
    public var poolFusion: PoolFusion? {
        didSet { sizedFor = [] }
    }
    /// Whether a convolution with a `poolFusion` computes the pool when its tiles allow; off, the two
    /// layers always run apart (tests compare the two).
    public var fusesPool = true {
        didSet { sizedFor = [] }
    }

    /// Scratch for the im2col patches (R*P floats), reused by forward and backward. `Sequential`
    /// gives all its conv layers one shared instance; nothing in it survives a call.
    public var workspace = Workspace()

    private var input = Tensor.empty          // the last forward's x (a reference, not a copy)
    private var output = Tensor.empty         // y (N, OH, OW, F)
    private var outputGradient = Tensor.empty // dz = dy * f'(z), same shape as y; unused for linear
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var sizedFor: [Int] = []          // input shape the buffers were sized for
    private var geometry: WindowGeometry?     // for `sizedFor`
    private var forwardWinograd: Winograd3x3? // for `sizedFor`, when the geometry qualifies
    private var singleChannel = false         // for `sizedFor`: SingleChannelConvolution handles it
    private var pointwise = false             // for `sizedFor`: im2col's cols would be x itself
    private let transformedKernel = AlignedFloats() // Winograd's U (X, C, F), remade every forward
    private var transformedKernelIsCurrent = false  // whether `transformedKernel` is the last forward's U
    private let transposedKernel = AlignedFloats()  // U^T (X, F, C), for the input gradient by Winograd
    private let paddedInput = AlignedFloats()       // Winograd's padded x, kept by a training forward for the kernel gradient
    private var paddedInputIsCurrent = false        // whether `paddedInput` holds the last forward's x
    private var inputGradientWinograd: Winograd3x3? // dx = conv(dz, flipped kernel) after an im2col forward
    private var flippedKernel: [Float] = []     // (3, 3, F, C), then its U (16, F, C) in `transformedKernel`
    private var zeroBias: [Float] = []          // (C): the input gradient has no bias
    private var poolingWinograd: Winograd3x3?   // for `sizedFor`: the forward with the fused pool, when it qualifies
    private var pooledOutput = Tensor.empty     // maxpool2x2(y) (N, OH / 2, OW / 2, F), with a fused pool
    private var routes = Tensor.empty           // where each pool window's maximum was (`Winograd3x3.run`'s routes)
    private var lastForwardPooled = false       // whether the last forward returned `pooledOutput`

    /// A convolution with `filters` output channels. Shape: (N, H, W, C) -> (N, OH, OW, filters).
    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1),
                padding: Padding = .valid, activation: Activation = .linear, useBias: Bool = true,
                dilationRate: (Int, Int) = (1, 1)) {
        self.useBias = useBias
        self.dilationRate = dilationRate
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    /// (H, W, C) -> (OH, OW, F); throws when the output would be empty or a size is not positive.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try geometry(for: inputShape)
        return [g.outHeight, g.outWidth, filters]
    }

    /// KH * KW * C * F, and F for the bias.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.sum(ParameterBudget.product(kernelSize.0, kernelSize.1, inputShape.last ?? 0, filters), useBias ? filters : 0)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        let g = try geometry(for: inputShape)
        let shape = [g.kernelHeight, g.kernelWidth, g.channels, filters]
        kernel.initialise(Initializer.glorotUniform.make(shape, using: &rng))
        bias.initialise(Tensor(shape: [filters], repeating: 0))
    }

    /// y = f(conv(x) + b). Shape: x (N, H, W, C) -> y (N, OH, OW, F), this layer's reused buffer; with a
    /// fused pool (`poolFusion`), maxpool2x2(y) (N, OH / 2, OW / 2, F).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.count > 0, "\(name): empty input \(x.shape)")
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, n = x.shape[0], f = filters
        let rows = n * g.outHeight * g.outWidth, p = g.patchSize
        precondition(kernel.value.count == p * f && bias.value.count == f,
                     "\(name): kernel \(kernel.value.shape) / bias \(bias.value.shape) do not match (\(p), \(f))")
        input = x
        paddedInputIsCurrent = false
        transformedKernelIsCurrent = false
        lastForwardPooled = winogradEnabled && poolingWinograd != nil
        poolFusion?.convolutionPooled = lastForwardPooled
        if lastForwardPooled {
            poolFusion!.pooledShape = pooledOutput.shape
            forwardByWinograd(x, poolingWinograd!, keepPaddedInput: training, pooled: true)
            return pooledOutput
        }
        if winogradEnabled, let w = forwardWinograd {
            forwardByWinograd(x, w, keepPaddedInput: training)
            return output
        }
        if singleChannelKernelsEnabled && singleChannel {
            forwardBySingleChannelKernel(x)
            return output
        }
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        withColumns(of: xp.baseAddress!, rows: rows) { cols in
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

    /// y = f(conv(x) + b) by Winograd F(2x2, 3x3): kernel transform U, then `Winograd3x3.run` with its
    /// scratch in the shared workspace (relu inside its output transform, other activations after).
    /// `pooled`: maxpool2x2(relu(conv(x) + b)) into `pooledOutput`, with `routes` (`poolFusion`).
    /// Shape: x (N, H, W, C) -> y (N, OH, OW, F), pooled: (N, OH / 2, OW / 2, F).
    private func forwardByWinograd(_ x: Tensor, _ w: Winograd3x3, keepPaddedInput: Bool, pooled: Bool = false) {
        let n = x.shape[0]
        let u = transformedKernel.reserve(w.transformedKernelCount)
        kernel.value.data.withUnsafeBufferPointer { kp in w.transformKernel(kp.baseAddress!, into: u) }
        transformedKernelIsCurrent = true
        x.data.withUnsafeBufferPointer { xp in
            do {
                bias.value.data.withUnsafeBufferPointer { bp in
                    self[keyPath: pooled ? \Conv2D.pooledOutput : \Conv2D.output].data.withUnsafeMutableBufferPointer { yp in
                        // relu in the output transform (no second pass over y); other activations after
                        let rectify = activation == .relu
                        // a training pass keeps the padded input for the kernel gradient; inference
                        // (larger batches, no backward) pads into the shared workspace
                        let padded = keepPaddedInput ? paddedInput.reserve(w.paddedInputCount(batch: n)) : nil
                        paddedInputIsCurrent = keepPaddedInput
                        routes.data.withUnsafeMutableBufferPointer { rp in
                            workspace.withBuffer(count: w.scratchCount(batch: n)) { scratch in
                                w.run(xp.baseAddress!, batch: n, transformedKernel: u, bias: bp.baseAddress!,
                                      output: yp.baseAddress!, scratch: scratch, rectify: rectify, paddedInput: padded,
                                      routes: pooled ? rp.baseAddress! : nil)
                            }
                        }
                        if !rectify { activation.apply(yp.baseAddress!, rows: yp.count / filters, columns: filters) }
                    }
                }
            }
        }
    }

    /// y = f(conv(x) + b) by `SingleChannelConvolution` (relu in its store, other activations after).
    /// Shape: x (N, H, W, 1) -> y (N, OH, OW, F).
    private func forwardBySingleChannelKernel(_ x: Tensor) {
        let rectify = activation == .relu
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        SingleChannelConvolution.forward(xp.baseAddress!, batch: x.shape[0], geometry: geometry!,
                                                         kernel: wp.baseAddress!, filters: filters, bias: bp.baseAddress!,
                                                         output: yp.baseAddress!, rectify: rectify)
                        if !rectify { activation.apply(yp.baseAddress!, rows: yp.count / filters, columns: filters) }
                    }
                }
            }
        }
    }

    /// dz = dy * f'; bias.grad += column sums of dz; with a Winograd forward, kernel.grad and dx by
    /// Winograd in one pass over the tiles; else kernel.grad += cols^T dz (cols recomputed: the
    /// workspace is shared), and dx by Winograd (a convolution of dz) when the filters qualify, else
    /// dcols = dz W^T in the same workspace and dx = col2im(dcols). Shape: dy (N, OH, OW, F) -> dx
    /// (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// `backward(dy)`; without `inputGradient`, dx is left out and an empty tensor returned.
    public func backward(_ dy: Tensor, inputGradient computeInputGradient: Bool) -> Tensor {
        if computeInputGradient { inputGradient.ensureShape(input.shape) }   // sized on first use: not at inference
        if lastForwardPooled { return backwardThroughPool(dy, inputGradient: computeInputGradient) }
        precondition(dy.shape == output.shape && input.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let dz = preActivationGradient(dy)
        dz.data.withUnsafeBufferPointer { dzp in
            let dz = dzp.baseAddress!
            accumulateBiasGradient(dz, rows: dzp.count / filters, columns: filters)
            if winogradEnabled, let w = forwardWinograd {
                // the input gradient from the kernel gradient's transforms (the forward's tiles backwards)
                kernelGradientByWinograd(w, dz: dz, inputGradient: computeInputGradient)
                return
            }
            accumulateKernelGradient(dz)
            guard computeInputGradient else { return }
            if winogradEnabled, let w = inputGradientWinograd {
                inputGradientByWinograd(w, dz: dz)
            } else {
                inputGradientByCol2im(dz)
                if rectifiesInputGradient { rectifyInputGradient() }
            }
        }
        return computeInputGradient ? inputGradient : .empty
    }

    /// `backward` after a forward that computed the fused pool: dy is the pool's output gradient. The
    /// bias gradient sums the dz the pool would have routed from it, in the same order as from that dz;
    /// the kernel gradient and dx route it to each window's maximum inside the gradient transform
    /// (`Winograd3x3`'s `routes`). All three equal those of the layers apart bit for bit.
    /// Shape: dy (N, OH / 2, OW / 2, F) -> dx (N, H, W, C).
    private func backwardThroughPool(_ dy: Tensor, inputGradient computeInputGradient: Bool) -> Tensor {
        precondition(dy.shape == pooledOutput.shape && input.count > 0,
                     "\(name): backward got dy \(dy.shape), last (pooled) output was \(pooledOutput.shape) (forward first)")
        dy.data.withUnsafeBufferPointer { dyp in
            routes.data.withUnsafeBufferPointer { rp in
                if useBias {
                    bias.grad.data.withUnsafeMutableBufferPointer { gb in
                        accumulateRoutedColumnSums(dyp.baseAddress!, routes: rp.baseAddress!, batch: dy.shape[0],
                                                   height: 2 * dy.shape[1], width: 2 * dy.shape[2], columns: filters,
                                                   into: gb.baseAddress!)
                    }
                }
                kernelGradientByWinograd(poolingWinograd!, dz: dyp.baseAddress!, inputGradient: computeInputGradient,
                                         routes: rp.baseAddress!)
            }
        }
        return computeInputGradient ? inputGradient : .empty
    }

    /// dz = dy * f'(z) in `outputGradient`; dy itself for a linear layer or with
    /// `receivesPreActivationGradient` (no copy). Shape: dy (N, OH, OW, F) -> dz (N, OH, OW, F).
    private func preActivationGradient(_ dy: Tensor) -> Tensor {
        if receivesPreActivationGradient { return dy }
        return activation.preActivationGradient(dy, output: output, columns: filters, into: &outputGradient)
    }

    /// kernel.grad (P, F) += cols^T (P, R) dz (R, F), cols = im2col(x) remade in the workspace (or
    /// the same sums by `SingleChannelConvolution`).
    private func accumulateKernelGradient(_ dz: UnsafePointer<Float>) {
        let g = geometry!, n = input.shape[0]
        let rows = n * g.outHeight * g.outWidth, p = g.patchSize
        input.data.withUnsafeBufferPointer { xp in
            kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                if singleChannelKernelsEnabled && singleChannel {
                    SingleChannelConvolution.accumulateKernelGradient(xp.baseAddress!, batch: n, geometry: g,
                                                                      outputGradient: dz, filters: filters,
                                                                      into: gw.baseAddress!)
                    return
                }
                withColumns(of: xp.baseAddress!, rows: rows) { cols in
                    gemm(transA: true, m: p, n: filters, k: rows, a: cols, b: dz, beta: 1, c: gw.baseAddress!)
                }
            }
        }
    }

    /// kernel.grad (3, 3, C, F) += G^T [sum over tiles (A dz A^T) (.) (B^T x B)] G by Winograd
    /// (`Winograd3x3.accumulateKernelGradient`) from the padded input a training forward kept (after
    /// an inference forward it pads x itself), the scratch in the shared workspace. With
    /// `inputGradient`, dx (N, H, W, C) too, by the forward's tiles backwards: dV = (A dz A^T) U^T per
    /// point, B dV B^T added into the padded dx (Tensor/WinogradInputGradient.swift), gated by x with
    /// `rectifiesInputGradient`; U is the forward's (made again if that forward was not by Winograd).
    /// With `routes`, dz is the gradient of the fused pool's output (`backwardThroughPool`).
    private func kernelGradientByWinograd(_ w: Winograd3x3, dz: UnsafePointer<Float>, inputGradient: Bool,
                                          routes: UnsafePointer<Float>? = nil) {
        let n = input.shape[0]
        let kept = paddedInputIsCurrent ? paddedInput.pointer : nil     // else the gradient pads x itself
        var transposed: UnsafeMutablePointer<Float>?
        if inputGradient {
            if !transformedKernelIsCurrent {
                let u = transformedKernel.reserve(w.transformedKernelCount)
                kernel.value.data.withUnsafeBufferPointer { kp in w.transformKernel(kp.baseAddress!, into: u) }
                transformedKernelIsCurrent = true
            }
            transposed = transposedKernel.reserve(w.transformedKernelCount)
            w.transposeTransformedKernel(transformedKernel.pointer!, into: transposed!)
        }
        let scratchCount = w.kernelGradientScratchCount(batch: n) + (inputGradient ? w.inputGradientScratchCount(batch: n) : 0)
        input.data.withUnsafeBufferPointer { xp in
            kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                self.inputGradient.data.withUnsafeMutableBufferPointer { dx in
                    let pass = transposed.map {
                        Winograd3x3.InputGradient(transposedKernel: $0, output: dx.baseAddress!,
                                                  gate: rectifiesInputGradient ? xp.baseAddress! : nil)
                    }
                    workspace.withBuffer(count: scratchCount) { scratch in
                        w.accumulateKernelGradient(xp.baseAddress!, batch: n, outputGradient: dz,
                                                   into: gw.baseAddress!, scratch: scratch,
                                                   paddedInput: kept.map { UnsafePointer($0) }, inputGradient: pass,
                                                   routes: routes)
                    }
                }
            }
        }
    }

    /// dcols (R, P) = dz (R, F) kernel^T (F, P) in the workspace, then dx (N, H, W, C) = col2im(dcols).
    private func inputGradientByCol2im(_ dz: UnsafePointer<Float>) {
        let g = geometry!, n = input.shape[0]
        let rows = n * g.outHeight * g.outWidth, p = g.patchSize
        kernel.value.data.withUnsafeBufferPointer { wp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                if pointwiseWithoutIm2col && pointwise {
                    // dx (N*H*W, C) = dz (R, F) kernel^T (F, C): col2im would copy dcols unchanged
                    gemm(transB: true, m: rows, n: p, k: filters, a: dz, b: wp.baseAddress!, c: dxp.baseAddress!)
                    return
                }
                workspace.withBuffer(count: rows * p) { cols in
                    gemm(transB: true, m: rows, n: p, k: filters, a: dz, b: wp.baseAddress!, c: cols)
                    col2im(cols, batch: n, geometry: g, dx: dxp.baseAddress!)
                }
            }
        }
    }

    /// Calls `body` with the im2col matrix cols (R, P) of x (N, H, W, C): made in the shared workspace,
    /// or x itself for a pointwise convolution (`pointwiseWithoutIm2col`), whose cols are x unchanged.
    private func withColumns(of x: UnsafePointer<Float>, rows: Int, _ body: (UnsafePointer<Float>) -> Void) {
        if pointwiseWithoutIm2col && pointwise { return body(x) }
        let g = geometry!
        workspace.withBuffer(count: rows * g.patchSize) { cols in
            im2col(x, batch: rows / (g.outHeight * g.outWidth), geometry: g, cols: cols)
            body(cols)
        }
    }

    /// dx = x > 0 ? dx : 0 in place: the ReLU derivative of the layer before, whose output x is.
    private func rectifyInputGradient() {
        input.data.withUnsafeBufferPointer { xp in
            inputGradient.data.withUnsafeMutableBufferPointer { dx in
                Activation.relu.backward(output: xp.baseAddress!, gradient: dx.baseAddress!, into: dx.baseAddress!,
                                         rows: dx.count / input.shape[3], columns: input.shape[3])
            }
        }
    }

    /// dx = conv3x3(dz, flipped kernel) by Winograd (`Winograd3x3.inputGradientKernel`), the scratch
    /// in the shared workspace. Shape: dz (N, OH, OW, F) -> dx (N, H, W, C).
    private func inputGradientByWinograd(_ w: Winograd3x3, dz: UnsafePointer<Float>) {
        let n = input.shape[0]
        if flippedKernel.count != 9 * w.channels * w.filters {
            flippedKernel = [Float](repeating: 0, count: 9 * w.channels * w.filters)
        }
        let u = transformedKernel.reserve(w.transformedKernelCount)
        transformedKernelIsCurrent = false      // it holds the flipped kernel's U now
        if zeroBias.count != w.filters { zeroBias = [Float](repeating: 0, count: w.filters) }
        kernel.value.data.withUnsafeBufferPointer { kp in
            flippedKernel.withUnsafeMutableBufferPointer { flipped in
                // the forward layer's C is this convolution's filters, its F this one's channels
                Winograd3x3.inputGradientKernel(kp.baseAddress!, channels: w.filters, filters: w.channels,
                                                into: flipped.baseAddress!)
                w.transformKernel(flipped.baseAddress!, into: u)
            }
        }
        zeroBias.withUnsafeBufferPointer { b in
            input.data.withUnsafeBufferPointer { xp in
                inputGradient.data.withUnsafeMutableBufferPointer { dx in
                    workspace.withBuffer(count: w.scratchCount(batch: n)) { scratch in
                        // with `rectifiesInputGradient`, x gates dx in the output transform
                        w.run(dz, batch: n, transformedKernel: u, bias: b.baseAddress!, output: dx.baseAddress!,
                              scratch: scratch, gate: rectifiesInputGradient ? xp.baseAddress! : nil)
                    }
                }
            }
        }
    }

    public func releaseCache() { input = .empty }

    /// Geometry for an input shape (batch excluded), or a ShapeError naming the layer and shapes.
    private func geometry(for inputShape: [Int]) throws -> WindowGeometry {
        guard filters > 0 else { throw ShapeError("\(name) (Conv2D): filters must be positive, got \(filters)") }
        return try WindowGeometry.checked(layer: name, kind: kind, inputShape: inputShape, window: kernelSize,
                                          windowName: "kernel_size", strides: strides, padding: padding,
                                          dilation: dilationRate)
    }

    /// Sizes the buffers for an input shape (first call, or a new batch size).
    private func resize(for shape: [Int]) {
        precondition(shape.count == 4 && kernel.value.rank == 4 && shape[3] == kernel.value.shape[2],
                     "\(name): input \(shape) does not match kernel \(kernel.value.shape) (build first)")
        guard let g = try? computedGeometry(for: Array(shape.dropFirst())) else {
            preconditionFailure("\(name): empty output for input \(shape)")
        }
        let outShape = [shape[0], g.outHeight, g.outWidth, filters]
        output.ensureShape(outShape)
        geometry = g
        forwardWinograd = makeForwardWinograd(for: g)
        poolingWinograd = makePoolingWinograd(for: g)
        let pooledShape = [shape[0], g.outHeight / 2, g.outWidth / 2, filters]
        pooledOutput.ensureShape(poolingWinograd == nil ? [0] : pooledShape)
        routes.ensureShape(poolingWinograd == nil ? [0] : pooledShape)
        singleChannel = SingleChannelConvolution.handles(g, filters: filters)
        pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1
            && g.outHeight == g.height && g.outWidth == g.width
        inputGradientWinograd = makeInputGradientWinograd(for: g)
        sizedFor = shape
    }

    /// The geometry forward computes for an input shape (batch excluded): `outputCrop` applied.
    private func computedGeometry(for inputShape: [Int]) throws -> WindowGeometry {
        let g = try geometry(for: inputShape)
        guard let crop = outputCrop else { return g }
        return g.croppingOutput(height: crop.height, width: crop.width)
    }

    /// Forward by Winograd, when the geometry qualifies (3x3, stride 1, enough input channels).
    private func makeForwardWinograd(for g: WindowGeometry) -> Winograd3x3? {
        guard kernelSize == (3, 3), strides == (1, 1), dilationRate == (1, 1),
              g.channels >= Conv2D.winogradMinimumChannels else { return nil }
        let tile = Winograd3x3.fewestProductsTile(height: g.outHeight, width: g.outWidth,
                                                  candidates: [2] + (mediumWinogradTiles ? [3] : [])
                                                      + (largeWinogradTiles ? [4] : []))
        return Winograd3x3(height: g.height, width: g.width, channels: g.channels, filters: filters,
                           padTop: g.padTop, padLeft: g.padLeft, convolutionOutput: (g.outHeight, g.outWidth),
                           output: .full, outputTile: tile)
    }

    /// The forward with the pool of a `poolFusion` in it, when it qualifies: F(4x4, 3x3) tiles
    /// (`largeWinogradTiles`) that each cover 2 x 2 pool windows, a ReLU whose derivative the routes
    /// carry (`receivesPreActivationGradient`); a computed output the pool reads whole (even sides:
    /// `Sequential` crops the row and column it would leave).
    private func makePoolingWinograd(for g: WindowGeometry) -> Winograd3x3? {
        guard poolFusion != nil, fusesPool, largeWinogradTiles, activation == .relu, receivesPreActivationGradient,
              g.outHeight % 2 == 0, g.outWidth % 2 == 0,
              kernelSize == (3, 3), strides == (1, 1), dilationRate == (1, 1),
              g.channels >= Conv2D.winogradMinimumChannels else { return nil }
        return Winograd3x3(height: g.height, width: g.width, channels: g.channels, filters: filters,
                           padTop: g.padTop, padLeft: g.padLeft, convolutionOutput: (g.outHeight, g.outWidth),
                           output: .maxPooled, outputTile: 4)
    }

    /// The input gradient by Winograd, when the geometry qualifies: it is a 3x3 stride-1 convolution
    /// of dz (F channels) when the forward one is.
    private func makeInputGradientWinograd(for g: WindowGeometry) -> Winograd3x3? {
        guard kernelSize == (3, 3), strides == (1, 1), dilationRate == (1, 1),
              filters >= Conv2D.winogradMinimumChannels else { return nil }
        return Winograd3x3(height: g.outHeight, width: g.outWidth, channels: filters, filters: g.channels,
                           padTop: 2 - g.padTop, padLeft: 2 - g.padLeft, convolutionOutput: (g.height, g.width),
                           output: .full)
    }

    /// Forward: Winograd's 16 products per block of tiles, or y (R, F) = cols (R, P) kernel (P, F).
    /// Backward: kernel.grad by Winograd's 16 products per block of tiles, or (P, F) += cols^T dz; the
    /// input gradient by Winograd, or dcols (R, P) = dz kernel^T.
    /// R counts the computed (cropped) output pixels.
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        guard let g = try? computedGeometry(for: inputShape) else { return LayerProducts() }
        let rows = n * g.outHeight * g.outWidth, p = g.patchSize, f = filters
        var products = LayerProducts()
        if winogradEnabled, let w = makeForwardWinograd(for: g) {
            products.forward = w.products(batch: n, label: "y Winograd M")
            products.backward = w.kernelGradientProducts(batch: n, label: "dW Winograd S")
            if inputGradient { products.backward += w.inputGradientProducts(batch: n, label: "dx Winograd dV") }
            return products
        }
        products.forward = [MatrixProduct("y", m: rows, n: f, k: p)]
        products.backward = [MatrixProduct("dW", m: p, n: f, k: rows, transA: true)]
        guard inputGradient else { return products }
        if winogradEnabled, let w = makeInputGradientWinograd(for: g) {
            products.backward += w.products(batch: n, label: "dx Winograd M")
        } else {
            products.backward.append(MatrixProduct("dx", m: rows, n: p, k: f, transB: true))
        }
        return products
    }
}

extension Conv2D: WorkspaceUser {}
extension Conv2D: InputGradientOptional {}
extension Conv2D: BiasedLayer {}
