import Tensor

/// Max pooling over NHWC images, Keras `MaxPooling2D` (TensorFlow rules).
///
/// Legend: N batch, H W C input, KH KW pool, SH SW strides, OH OW output.
///
///     x (N, H, W, C) -> y (N, OH, OW, C)        argmax (N, OH, OW, C) Int32 indices into x
///     valid: OH = (H - KH) / SH + 1             same: OH = ceil(H / SH)   (WindowGeometry)
///
/// Padding positions never win ('same' pads with -inf). Ties go to the first maximum in row-major
/// window order, as TensorFlow's CPU kernel does; backward routes each output gradient to its argmax.
public final class MaxPool2D: Layer {
    public var name = "max_pooling2d"
    public var kind: String { "MaxPooling2D" }
    /// (KH, KW).
    public let poolSize: (Int, Int)
    /// (SH, SW); `poolSize` when not given, like Keras.
    public let strides: (Int, Int)
    public let padding: Padding

    /// When set, backward routes an output's gradient only where that output is positive: the
    /// gradient it returns is then already the pre-activation gradient of a ReLU layer before the pool
    /// (whose outputs are >= 0: its derivative is 1 exactly where the window's maximum is positive).
    /// `Sequential` sets it together with that layer's `Conv2D.receivesPreActivationGradient`.
    public var rectifiesGradient = false

    /// Set by `Sequential` when the ReLU `Conv2D` before this pool may compute it in its own forward
    /// (`PoolFusion`): after such a forward this layer passes its input, already pooled, and its
    /// gradient through unchanged.
    public var fusion: PoolFusion?
    private var passedThrough = false         // whether the last forward passed a pooled input through

    private var output = Tensor.empty         // y (N, OH, OW, C)
    private var argmax: [Int32] = []          // flat index into x of each output's maximum
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var sizedFor: [Int] = []          // input shape the buffers were sized for
    private var geometry: WindowGeometry?     // for `sizedFor`
    private var twoByTwoInside = false        // for `sizedFor`: 2x2 / stride-2 windows, all inside x
    /// Whether 2x2 / stride-2 windows inside the image take their own kernels (`pool2x2`,
    /// `routeGradient2x2`); off, every pool takes the general ones (tests compare the two).
    var twoByTwoKernels = true

    /// Shape: (N, H, W, C) -> (N, OH, OW, C).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    /// (H, W, C) -> (OH, OW, C); throws when the output would be empty (a pool larger than its input).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try geometry(for: inputShape)
        return [g.outHeight, g.outWidth, g.channels]
    }

    /// The maximum of every window, remembering where it was.
    /// Shape: x (N, H, W, C) -> y (N, OH, OW, C), this layer's reused buffer.
    /// (With a `fusion` whose convolution pooled: x is this layer's output already, returned as is.)
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        passedThrough = fusion?.convolutionPooled ?? false
        if passedThrough {
            precondition(x.shape == fusion!.pooledShape,
                         "\(name): input \(x.shape) is not the pooled \(fusion!.pooledShape) its convolution returned")
            return x
        }
        precondition(x.count > 0 && x.count < Int(Int32.max),
                     "\(name): input \(x.shape) is empty or too large for Int32 indices")
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, n = x.shape[0]
        x.data.withUnsafeBufferPointer { xb in
            output.data.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let (xp, y, arg) = (xb.baseAddress!, yb.baseAddress!, ab.baseAddress!)
                    if twoByTwoInside && twoByTwoKernels {
                        MaxPool2D.pool2x2(xp, batch: n, geometry: g, y: y, argmax: arg)
                    } else {
                        MaxPool2D.pool(xp, batch: n, geometry: g, y: y, argmax: arg)
                    }
                }
            }
        }
        return output
    }

    /// Any pool: every window clipped to the input (padding never takes part), its first position
    /// starting the running maximum. Shape: x (N, H, W, C) -> y (N, OH, OW, C), argmax (N, OH, OW, C).
    private static func pool(_ xp: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                             y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let (H, W, C) = (g.height, g.width, g.channels)
        var y = y, arg = argmax     // advance C per output pixel
        for b in 0..<n {
            let image = b * H * W * C
            for oh in 0..<g.outHeight {
                // window rows [h0, h1) clipped to the input: padding never takes part
                let top = oh * g.strideHeight - g.padTop
                let h0 = max(top, 0), h1 = min(top + g.kernelHeight, H)
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let w0 = max(left, 0), w1 = min(left + g.kernelWidth, W)
                    // the first position of the window starts the running maximum
                    let first = image + (h0 * W + w0) * C
                    for c in 0..<C { y[c] = xp[first + c]; arg[c] = Int32(first + c) }
                    for ih in h0..<h1 {
                        for iw in w0..<w1 {
                            let at = image + (ih * W + iw) * C
                            // strict '>' keeps the first of equal maxima
                            for c in 0..<C where xp[at + c] > y[c] {
                                y[c] = xp[at + c]; arg[c] = Int32(at + c)
                            }
                        }
                    }
                    y += C; arg += C
                }
            }
        }
    }

    /// dx = 0, then dx[argmax[i]] += dy[i] (overlapping windows may share a maximum); with
    /// `rectifiesGradient`, only for the outputs y[i] > 0.
    /// Shape: dy (N, OH, OW, C) -> dx (N, H, W, C).
    /// (After a forward that passed its input through: dy as is, for the convolution to route.)
    public func backward(_ dy: Tensor) -> Tensor {
        if passedThrough { return dy }
        precondition(dy.shape == output.shape && !argmax.isEmpty,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        inputGradient.ensureShape(sizedFor)                  // sized on first use: not at inference
        dy.data.withUnsafeBufferPointer { dyp in
            argmax.withUnsafeBufferPointer { ap in
                inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                    if twoByTwoInside && twoByTwoKernels && geometry!.channels % 16 == 0 {
                        output.data.withUnsafeBufferPointer { yp in
                            routeGradient2x2(dyp.baseAddress!, output: yp.baseAddress!, argmax: ap.baseAddress!,
                                             into: dxp.baseAddress!)
                        }
                        return
                    }
                    dxp.update(repeating: 0)
                    if rectifiesGradient {
                        output.data.withUnsafeBufferPointer { yp in
                            for i in 0..<dyp.count where yp[i] > 0 { dxp[Int(ap[i])] += dyp[i] }
                        }
                    } else {
                        for i in 0..<dyp.count { dxp[Int(ap[i])] += dyp[i] }
                    }
                }
            }
        }
        return inputGradient
    }

    /// The common 2x2, stride 2 pool with every window inside the image (valid, or same on even
    /// sizes): the four candidates of each window compared in registers (same tie rule: the first
    /// maximum in row-major window order, strict '>' so NaN never wins), 16 channels at a time
    /// while 16 remain, then one at a time.
    /// Shape: x (N, H, W, C) -> y (N, OH, OW, C), argmax (N, OH, OW, C).
    private static func pool2x2(_ xp: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let (H, W, C) = (g.height, g.width, g.channels)
        let lanes = C / 16 * 16
        var y = y, arg = argmax
        for b in 0..<n {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    // window rows 2oh, 2oh + 1; columns 2ow, 2ow + 1
                    let p00 = ((b * H + 2 * oh) * W + 2 * ow) * C
                    let p01 = p00 + C, p10 = p00 + W * C, p11 = p10 + C
                    var c = 0
                    while c < lanes {
                        var best = load16(xp + p00 + c), at = ramp16(p00 + c)
                        @inline(__always) func challenge(_ p: Int) {
                            let v = load16(xp + p + c), larger = v .> best
                            best.replace(with: v, where: larger)
                            at.replace(with: ramp16(p + c), where: larger)
                        }
                        challenge(p01); challenge(p10); challenge(p11)
                        UnsafeMutableRawPointer(y + c).storeBytes(of: best, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(arg + c).storeBytes(of: at, as: SIMD16<Int32>.self)
                        c += 16
                    }
                    for c in lanes..<C {
                        var best = xp[p00 + c], at = p00 + c
                        if xp[p01 + c] > best { best = xp[p01 + c]; at = p01 + c }
                        if xp[p10 + c] > best { best = xp[p10 + c]; at = p10 + c }
                        if xp[p11 + c] > best { best = xp[p11 + c]; at = p11 + c }
                        y[c] = best
                        arg[c] = Int32(truncatingIfNeeded: at)
                    }
                    y += C; arg += C
                }
            }
        }
    }

    /// `backward` for 2x2 / stride-2 windows inside the image with C a multiple of 16: the windows do
    /// not overlap, so each dx element inside one is written once, dy where it is the window's argmax
    /// (and, with `rectifiesGradient`, the output is positive) and 0 elsewhere, 16 channels at a
    /// time; rows and columns no window covers are zeroed. No pass to clear dx first.
    /// Shape: dy (N, OH, OW, C) -> dx (N, H, W, C).
    private func routeGradient2x2(_ dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                                  argmax: UnsafePointer<Int32>, into dx: UnsafeMutablePointer<Float>) {
        let g = geometry!, n = sizedFor[0]
        let (H, W, C) = (g.height, g.width, g.channels)
        if 2 * g.outHeight < H || 2 * g.outWidth < W { dx.update(repeating: 0, count: n * H * W * C) }
        let zero = SIMD16<Float>(repeating: 0)
        var i = 0       // output index (b, oh, ow, c)
        for b in 0..<n {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    let p00 = ((b * H + 2 * oh) * W + 2 * ow) * C
                    for c in stride(from: 0, to: C, by: 16) {
                        var gradient = MaxPool2D.load16(dy + i)
                        if rectifiesGradient {
                            // routed where y > 0 (NaN is not), as the general path's `where yp[i] > 0`
                            gradient.replace(with: zero, where: .!(MaxPool2D.load16(y + i) .> zero))
                        }
                        let at = UnsafeRawPointer(argmax + i).loadUnaligned(as: SIMD16<Int32>.self)
                        @inline(__always) func route(_ p: Int) {
                            let routed = zero.replacing(with: gradient, where: at .== MaxPool2D.ramp16(p + c))
                            UnsafeMutableRawPointer(dx + p + c).storeBytes(of: routed, as: SIMD16<Float>.self)
                        }
                        route(p00); route(p00 + C); route(p00 + W * C); route(p00 + W * C + C)
                        i += 16
                    }
                }
            }
        }
    }

    /// 16 floats from p (any alignment).
    @inline(__always)
    private static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// The flat indices first, first + 1, ..., first + 15.
    @inline(__always)
    private static func ramp16(_ first: Int) -> SIMD16<Int32> {
        SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: first))
            &+ SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    }

    /// Geometry for an input shape (batch excluded), or a ShapeError naming the layer and shapes.
    private func geometry(for inputShape: [Int]) throws -> WindowGeometry {
        try WindowGeometry.checked(layer: name, kind: kind, inputShape: inputShape, window: poolSize,
                                   windowName: "pool_size", strides: strides, padding: padding)
    }

    /// Sizes the buffers for an input shape (first call, or a new batch size).
    private func resize(for shape: [Int]) {
        precondition(shape.count == 4, "\(name): input \(shape) must be (N, H, W, C)")
        guard let g = try? geometry(for: Array(shape.dropFirst())) else {
            preconditionFailure("\(name): input \(shape) gives an empty output for pool \(poolSize)")
        }
        output.ensureShape([shape[0], g.outHeight, g.outWidth, g.channels])
        argmax = [Int32](repeating: 0, count: output.count)
        geometry = g
        twoByTwoInside = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
            && g.padTop == 0 && g.padLeft == 0 && 2 * g.outHeight <= g.height && 2 * g.outWidth <= g.width
        sizedFor = shape
    }
}
