import Tensor

/// Average pooling over NHWC images, Keras `AveragePooling2D` (TensorFlow rules).
///
/// Legend: N batch, H W C input, KH KW pool, SH SW strides, OH OW output, |w| the number of input
/// positions of window w.
///
///     x (N, H, W, C) -> y (N, OH, OW, C),   y[w] = sum_{p in w} x[p] / |w|
///     valid: OH = (H - KH) / SH + 1             same: OH = ceil(H / SH)   (WindowGeometry)
///     backward: dx[p] = sum_{w containing p} dy[w] / |w|
///
/// Windows are clipped to the input: with `same` padding a window over the border averages only
/// its cells inside the image (|w| < KH * KW), as TensorFlow's kernel does; with `valid` |w| = KH * KW.
public final class AveragePooling2D: Layer {
    public var name = "average_pooling2d"
    public var kind: String { "AveragePooling2D" }
    /// (KH, KW).
    public let poolSize: (Int, Int)
    /// (SH, SW); `poolSize` when not given, like Keras.
    public let strides: (Int, Int)
    public let padding: Padding

    private var output = Tensor.empty         // y (N, OH, OW, C)
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

    /// The mean of every window's cells inside the image.
    /// Shape: x (N, H, W, C) -> y (N, OH, OW, C), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if x.shape != sizedFor { resize(for: x.shape) }
        let g = geometry!, n = x.shape[0], (H, W, C) = (g.height, g.width, g.channels)
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yb in
                var y = yb.baseAddress!       // advances C per output pixel
                for b in 0..<n {
                    let image = b * H * W * C
                    for oh in 0..<g.outHeight {
                        let (h0, h1) = rows(oh, g)
                        for ow in 0..<g.outWidth {
                            let (w0, w1) = columns(ow, g)
                            for c in 0..<C { y[c] = 0 }
                            for ih in h0..<h1 {
                                for iw in w0..<w1 {
                                    let at = image + (ih * W + iw) * C
                                    for c in 0..<C { y[c] += xp[at + c] }
                                }
                            }
                            let share = 1 / Float((h1 - h0) * (w1 - w0))
                            for c in 0..<C { y[c] *= share }
                            y += C
                        }
                    }
                }
            }
        }
        return output
    }

    /// Each output gradient spread evenly over its window's cells inside the image (overlapping
    /// windows add up). Shape: dy (N, OH, OW, C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && geometry != nil,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let g = geometry!, n = dy.shape[0], (H, W, C) = (g.height, g.width, g.channels)
        dy.data.withUnsafeBufferPointer { dyb in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                dxp.update(repeating: 0)
                var d = dyb.baseAddress!      // advances C per output pixel
                for b in 0..<n {
                    let image = b * H * W * C
                    for oh in 0..<g.outHeight {
                        let (h0, h1) = rows(oh, g)
                        for ow in 0..<g.outWidth {
                            let (w0, w1) = columns(ow, g)
                            let share = 1 / Float((h1 - h0) * (w1 - w0))
                            for ih in h0..<h1 {
                                for iw in w0..<w1 {
                                    let at = image + (ih * W + iw) * C
                                    for c in 0..<C { dxp[at + c] += d[c] * share }
                                }
                            }
                            d += C
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// Input rows [h0, h1) of output row `oh`, clipped to the image.
    private func rows(_ oh: Int, _ g: WindowGeometry) -> (Int, Int) {
        let top = oh * g.strideHeight - g.padTop
        return (max(top, 0), min(top + g.kernelHeight, g.height))
    }

    /// Input columns [w0, w1) of output column `ow`, clipped to the image.
    private func columns(_ ow: Int, _ g: WindowGeometry) -> (Int, Int) {
        let left = ow * g.strideWidth - g.padLeft
        return (max(left, 0), min(left + g.kernelWidth, g.width))
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
        inputGradient.ensureShape(shape)
        geometry = g
        sizedFor = shape
    }
}
