/// A convolution of a one-channel input (the first layer of a network on MFCC or filter-bank images)
/// computed directly: every output pixel's filters as 16-wide lanes, one broadcast multiply-add per
/// kernel tap inside the image, an output row at a time. im2col would copy 9 single floats per pixel and hand OpenBLAS a (R, 9) x (9, F)
/// product; copying, the product and a second pass for bias and ReLU took ~70 us per direction for the
/// reference CNN's first layer at batch 16, where the multiply-adds themselves are ~0.3 MFLOP.
///
/// Legend: N batch, H W input height and width (one channel), KH KW kernel, OH OW output, F filters
/// (a multiple of 16), T = KH * KW taps; `geometry` gives the strides and the padding (zeros).
///
///     forward:         x (N, H, W, 1), kernel (KH, KW, 1, F), bias (F) -> y (N, OH, OW, F)
///     kernel gradient: x (N, H, W, 1), dz (N, OH, OW, F) -> kernel gradient (KH, KW, 1, F) +=
///
/// The same multiply-adds as cols (R, T) x kernel (T, F) and cols^T dz, summed in another order.
public enum SingleChannelConvolution {
    /// Lanes per vector of filters.
    static let lanes = 16

    /// Whether these kernels compute a convolution of this geometry with `filters` filters: one input
    /// channel, filters a positive multiple of 16, and an undilated kernel.
    public static func handles(_ g: WindowGeometry, filters: Int) -> Bool {
        g.channels == 1 && filters > 0 && filters % lanes == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
    }

    /// y = conv(x) + bias, with max(y, 0) (`Activation.relu`, NaN kept) when `rectify`.
    ///
    ///     x (N, H, W, 1), kernel (T, F), bias (F) -> y (N, OH, OW, F)
    ///
    /// One output row at a time: the bias into every pixel, then for each kernel tap one pass over
    /// the row's pixels whose tap is inside the image (independent multiply-adds into the row, which
    /// stays in L1), then the ReLU.
    public static func forward(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                               kernel: UnsafePointer<Float>, filters f: Int, bias: UnsafePointer<Float>,
                               output y: UnsafeMutablePointer<Float>, rectify: Bool) {
        precondition(handles(g, filters: f), "SingleChannelConvolution: \(g.channels) channels, \(f) filters")
        let (ow, sw, padLeft, kw) = (g.outWidth, g.strideWidth, g.padLeft, g.kernelWidth)
        forEachOutputRow(x, batch: n, geometry: g) { row, inputRows, taps in
            let out = y + row &* ow &* f
            for p in 0..<ow {
                for block in stride(from: 0, to: f, by: lanes) { SIMD16<Float>.load(bias + block).store(out + (p &* f &+ block)) }
            }
            // wrapping arithmetic: the offsets are in range by construction, and overflow checks
            // were most of the instructions of these loops
            for i in taps {
                let input = inputRows + i &* g.width
                for j in 0..<kw {
                    let pixels = insidePixels(tap: j, outputs: ow, stride: sw, pad: padLeft, width: g.width)
                    for block in stride(from: 0, to: f, by: lanes) {
                        let weights = SIMD16<Float>.load(kernel + ((i &* kw &+ j) &* f &+ block))
                        for p in pixels {
                            let target = out + (p &* f &+ block)
                            var sum = SIMD16<Float>.load(target)
                            sum.addProduct(input[p &* sw &- padLeft &+ j], weights)
                            sum.store(target)
                        }
                    }
                }
            }
            if rectify {
                for e in stride(from: 0, to: ow &* f, by: lanes) { SIMD16<Float>.load(out + e).rectified().store(out + e) }
            }
        }
    }

    /// kernel gradient (T, F) += sum over the output pixels of x's tap values times dz's row.
    ///
    ///     x (N, H, W, 1), dz (N, OH, OW, F) -> gradient (T, F), accumulated
    ///
    /// For each output row and kernel tap, the pixels whose tap is inside the image are summed in
    /// two alternating registers (independent chains), then added to that tap's sum.
    public static func accumulateKernelGradient(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                                outputGradient dz: UnsafePointer<Float>, filters f: Int,
                                                into gradient: UnsafeMutablePointer<Float>) {
        precondition(handles(g, filters: f), "SingleChannelConvolution: \(g.channels) channels, \(f) filters")
        let (ow, sw, padLeft, kw) = (g.outWidth, g.strideWidth, g.padLeft, g.kernelWidth)
        let taps = g.kernelHeight * kw
        // every tap's sums for all filters, apart from the gradient: added to it once
        withUnsafeTemporaryAllocation(of: Float.self, capacity: taps * f) { sums in
            let sums = sums.baseAddress!
            sums.initialize(repeating: 0, count: taps * f)
            forEachOutputRow(x, batch: n, geometry: g) { row, inputRows, tapRows in
                let d = dz + row &* ow &* f
                for i in tapRows {
                    let input = inputRows + i &* g.width
                    for j in 0..<kw {
                        let pixels = insidePixels(tap: j, outputs: ow, stride: sw, pad: padLeft, width: g.width)
                        for block in stride(from: 0, to: f, by: lanes) {
                            var (even, odd) = (SIMD16<Float>.zero, SIMD16<Float>.zero)
                            var p = pixels.lowerBound
                            while p &+ 1 < pixels.upperBound {
                                even.addProduct(input[p &* sw &- padLeft &+ j], SIMD16<Float>.load(d + (p &* f &+ block)))
                                let q = p &+ 1
                                odd.addProduct(input[q &* sw &- padLeft &+ j], SIMD16<Float>.load(d + (q &* f &+ block)))
                                p &+= 2
                            }
                            if p < pixels.upperBound {
                                even.addProduct(input[p &* sw &- padLeft &+ j], SIMD16<Float>.load(d + (p &* f &+ block)))
                            }
                            let target = sums + ((i &* kw &+ j) &* f &+ block)
                            (SIMD16<Float>.load(target) + (even + odd)).store(target)
                        }
                    }
                }
            }
            for e in 0..<(taps * f) { gradient[e] += sums[e] }
        }
    }

    /// The output pixels ow of a row whose kernel column `tap` reads inside the image:
    /// 0 <= ow * stride - pad + tap < width.
    @inline(__always)
    private static func insidePixels(tap j: Int, outputs: Int, stride s: Int, pad: Int, width: Int) -> Range<Int> {
        let first = pad - j <= 0 ? 0 : (pad - j + s - 1) / s
        let lastIndex = width - 1 + pad - j          // ow * s <= lastIndex
        let end = lastIndex < 0 ? 0 : min(outputs, lastIndex / s + 1)
        return first..<max(first, end)
    }

    /// Calls body(row, inputRows, taps) for every output row (n, oh) in order, row = n * OH + oh:
    /// `inputRows` points at the input row the kernel's first row would read, and `taps` are the
    /// kernel rows kh that fall inside the image (the input row of kh is inputRows + kh * W).
    @inline(__always)
    private static func forEachOutputRow(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                         _ body: (Int, UnsafePointer<Float>, Range<Int>) -> Void) {
        let (h, w, kh) = (g.height, g.width, g.kernelHeight)
        for image in 0..<n {
            let base = x + image &* h &* w
            for oh in 0..<g.outHeight {
                let top = oh &* g.strideHeight &- g.padTop
                let taps = max(0, -top)..<max(max(0, -top), min(kh, h &- top))
                body(image &* g.outHeight &+ oh, base.advanced(by: top &* w), taps)
            }
        }
    }
}
