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

    private var output = Tensor.empty         // y (N, OH, OW, C)
    private var argmax: [Int32] = []          // flat index into x of each output's maximum
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var sizedFor: [Int] = []          // input shape the buffers were sized for
    private var geometry: WindowGeometry?     // for `sizedFor`

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
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.count > 0 && x.count < Int(Int32.max),
                     "\(name): input \(x.shape) is empty or too large for Int32 indices")
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, n = x.shape[0]
        let windowsInside = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
            && g.padTop == 0 && g.padLeft == 0 && 2 * g.outHeight <= g.height && 2 * g.outWidth <= g.width
        x.data.withUnsafeBufferPointer { xb in
            output.data.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let (xp, y, arg) = (xb.baseAddress!, yb.baseAddress!, ab.baseAddress!)
                    if windowsInside {
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
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && !argmax.isEmpty,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        dy.data.withUnsafeBufferPointer { dyp in
            argmax.withUnsafeBufferPointer { ap in
                inputGradient.data.withUnsafeMutableBufferPointer { dxp in
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
    /// maximum in row-major window order), vectorised over C.
    /// Shape: x (N, H, W, C) -> y (N, OH, OW, C), argmax (N, OH, OW, C).
    private static func pool2x2(_ xp: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let (H, W, C) = (g.height, g.width, g.channels)
        var y = y, arg = argmax
        for b in 0..<n {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    // window rows 2oh, 2oh + 1; columns 2ow, 2ow + 1
                    let p00 = ((b * H + 2 * oh) * W + 2 * ow) * C
                    let p01 = p00 + C, p10 = p00 + W * C, p11 = p10 + C
                    for c in 0..<C {
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
        inputGradient.ensureShape(shape)
        geometry = g
        sizedFor = shape
    }
}
