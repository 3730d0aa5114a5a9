import CSupport

/// The arithmetic of a depthwise 2-D convolution (Keras `DepthwiseConv2D`, and the first half of
/// `SeparableConv2D`): every input channel is convolved with its own M filters and channels are never
/// summed together.
///
/// Legend: N batch, H W C one input, KH KW kernel, M depth multiplier, O = C * M output channels,
/// OH OW the output (`WindowGeometry`: strides and padding, TensorFlow's rules), tap = kh * KW + kw.
///
///     x (N, H, W, C), kernel (KH, KW, C, M) -> y (N, OH, OW, O), output channel o = c * M + m
///     y[n, oh, ow, c*M + m] = sum over taps inside the image of
///                             x[n, oh*SH - padTop + kh, ow*SW - padLeft + kw, c] * kernel[kh, kw, c, m]
///
/// Row-major, kernel (KH, KW, C, M) is the (KH*KW, O) matrix of one O-vector per tap. Each function
/// walks output pixels and the taps that fall inside the image (padding is skipped, never read) with
/// the channels innermost: with M = 1 one contiguous multiply-add over the C values per tap, in
/// CSupport (`earmark_depthwise_*`: the same loops, vectorised there, where this Swift loop through
/// pointers that may alias stayed scalar); otherwise here, with a short loop over M per channel. No
/// products: the work is KH*KW*O multiply-adds per output pixel, far too little per weight for a
/// matrix product to pay.
public enum DepthwiseConvolution {
    /// y (N, OH, OW, O) = the convolution of x, plus `bias` (O) when given.
    /// Shape: x (N, H, W, C), kernel (KH*KW, O) -> y (N, OH, OW, O), overwritten.
    public static func forward(_ x: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               batch: Int, geometry g: WindowGeometry, multiplier m: Int,
                               output y: UnsafeMutablePointer<Float>) {
        guard m > 1 else {
            var window = g.cWindow
            return earmark_depthwise_forward(x, kernel, bias, batch, &window, y)
        }
        forwardLoops(x, kernel: kernel, bias: bias, batch: batch, geometry: g, multiplier: m, output: y)
    }

    /// `forward` by the Swift loops, for any M (M = 1: what CSupport computes, bit for bit).
    static func forwardLoops(_ x: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                             batch: Int, geometry g: WindowGeometry, multiplier m: Int,
                             output y: UnsafeMutablePointer<Float>) {
        let o = g.channels * m, pixels = batch * g.outHeight * g.outWidth
        if let bias {
            fillRows(y, rows: pixels, columns: o, with: bias)
        } else {
            y.update(repeating: 0, count: pixels * o)
        }
        forEachTap(g, batch: batch, multiplier: m) { xPixel, yPixel, tap in
            addChannelProducts(x + xPixel, times: kernel + tap * o, into: y + yPixel, channels: g.channels, multiplier: m)
        }
    }

    /// kernelGradient (KH*KW, O) += sum over pixels and taps of x (the tap's input pixel) * dz (the output pixel).
    /// Shape: x (N, H, W, C), dz (N, OH, OW, O) -> kernelGradient (KH, KW, C, M), accumulated.
    public static func accumulateKernelGradient(_ x: UnsafePointer<Float>, outputGradient dz: UnsafePointer<Float>,
                                                batch: Int, geometry g: WindowGeometry, multiplier m: Int,
                                                into kernelGradient: UnsafeMutablePointer<Float>) {
        guard m > 1 else {
            var window = g.cWindow
            return earmark_depthwise_kernel_gradient(x, dz, batch, &window, kernelGradient)
        }
        kernelGradientLoops(x, outputGradient: dz, batch: batch, geometry: g, multiplier: m, into: kernelGradient)
    }

    /// `accumulateKernelGradient` by the Swift loops, for any M.
    static func kernelGradientLoops(_ x: UnsafePointer<Float>, outputGradient dz: UnsafePointer<Float>, batch: Int,
                                    geometry g: WindowGeometry, multiplier m: Int,
                                    into kernelGradient: UnsafeMutablePointer<Float>) {
        let o = g.channels * m
        forEachTap(g, batch: batch, multiplier: m) { xPixel, zPixel, tap in
            addChannelProducts(x + xPixel, times: dz + zPixel, into: kernelGradient + tap * o, channels: g.channels,
                               multiplier: m)
        }
    }

    /// dx = the transposed convolution of dz: every output pixel's gradient sent back through each tap
    /// to the input pixel it read, summed over the channel's M filters.
    /// Shape: dz (N, OH, OW, O), kernel (KH*KW, O) -> dx (N, H, W, C), overwritten.
    public static func inputGradient(_ dz: UnsafePointer<Float>, kernel: UnsafePointer<Float>, batch: Int,
                                     geometry g: WindowGeometry, multiplier m: Int,
                                     into dx: UnsafeMutablePointer<Float>) {
        guard m > 1 else {
            var window = g.cWindow
            return earmark_depthwise_input_gradient(dz, kernel, batch, &window, dx)
        }
        inputGradientLoops(dz, kernel: kernel, batch: batch, geometry: g, multiplier: m, into: dx)
    }

    /// `inputGradient` by the Swift loops, for any M.
    static func inputGradientLoops(_ dz: UnsafePointer<Float>, kernel: UnsafePointer<Float>, batch: Int,
                                   geometry g: WindowGeometry, multiplier m: Int, into dx: UnsafeMutablePointer<Float>) {
        let o = g.channels * m
        dx.update(repeating: 0, count: batch * g.height * g.width * g.channels)
        forEachTap(g, batch: batch, multiplier: m) { xPixel, zPixel, tap in
            let dxs = dx + xPixel, dzs = dz + zPixel, ks = kernel + tap * o
            if m == 1 {
                for c in 0..<o { dxs[c] += ks[c] * dzs[c] }
            } else {
                for c in 0..<g.channels {
                    var sum: Float = 0
                    for j in c * m..<(c + 1) * m { sum += ks[j] * dzs[j] }
                    dxs[c] += sum
                }
            }
        }
    }

    /// target[c*M + m] += x[c] * other[c*M + m] for every channel c and filter m: one tap's terms of the
    /// forward pass (target y, other the tap's kernel) and of the kernel gradient (target the tap's
    /// kernel gradient, other dz). Shape: x (C), other (C*M) -> target (C*M), accumulated.
    @inline(__always)
    private static func addChannelProducts(_ x: UnsafePointer<Float>, times other: UnsafePointer<Float>,
                                           into target: UnsafeMutablePointer<Float>, channels: Int, multiplier m: Int) {
        if m == 1 {
            for c in 0..<channels { target[c] += x[c] * other[c] }
        } else {
            for c in 0..<channels {
                let value = x[c]
                for j in c * m..<(c + 1) * m { target[j] += value * other[j] }
            }
        }
    }

    /// Calls `body(x offset, y offset, tap)` for every output pixel and every tap of it inside the
    /// image, in the order n, oh, kh, ow, kw: x offset = ((n*H + ih)*W + iw)*C, y offset = ((n*OH + oh)*OW + ow)*O.
    @inline(__always)
    private static func forEachTap(_ g: WindowGeometry, batch: Int, multiplier m: Int,
                                   _ body: (_ xPixel: Int, _ yPixel: Int, _ tap: Int) -> Void) {
        let c = g.channels, o = c * m
        for n in 0..<batch {
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let yRow = (n * g.outHeight + oh) * g.outWidth
                let firstRow = max(0, -top), endRow = min(g.kernelHeight, g.height - top)
                guard firstRow < endRow else { continue }      // a window wholly in the padding reads nothing
                for kh in firstRow..<endRow {
                    let xRow = (n * g.height + top + kh) * g.width
                    for ow in 0..<g.outWidth {
                        let left = ow * g.strideWidth - g.padLeft
                        let firstColumn = max(0, -left), endColumn = min(g.kernelWidth, g.width - left)
                        guard firstColumn < endColumn else { continue }
                        for kw in firstColumn..<endColumn {
                            body((xRow + left + kw) * c, (yRow + ow) * o, kh * g.kernelWidth + kw)
                        }
                    }
                }
            }
        }
    }
}

extension WindowGeometry {
    /// The sweep as CSupport's `earmark_window` (which has no dilation).
    var cWindow: earmark_window {
        precondition(dilationHeight == 1 && dilationWidth == 1, "depthwise convolution: no dilation")
        return earmark_window(height: height, width: width, channels: channels, kernel_height: kernelHeight,
                       kernel_width: kernelWidth, stride_height: strideHeight, stride_width: strideWidth,
                       pad_top: padTop, pad_left: padLeft, out_height: outHeight, out_width: outWidth)
    }
}
