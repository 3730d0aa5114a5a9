/// A convolution of a one-channel input (the first layer of a network on MFCC or filter-bank images)
/// computed directly: every output pixel's filters as 16-wide lanes, one broadcast multiply-add per
/// kernel tap. im2col would copy 9 single floats per pixel and hand OpenBLAS a (R, 9) x (9, F)
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
    /// channel, and filters a positive multiple of 16.
    public static func handles(_ g: WindowGeometry, filters: Int) -> Bool {
        g.channels == 1 && filters > 0 && filters % lanes == 0
    }

    /// y = conv(x) + bias, with max(y, 0) (`Activation.relu`, NaN kept) when `rectify`.
    ///
    ///     x (N, H, W, 1), kernel (T, F), bias (F) -> y (N, OH, OW, F)
    public static func forward(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                               kernel: UnsafePointer<Float>, filters f: Int, bias: UnsafePointer<Float>,
                               output y: UnsafeMutablePointer<Float>, rectify: Bool) {
        precondition(handles(g, filters: f), "SingleChannelConvolution: \(g.channels) channels, \(f) filters")
        let kw = g.kernelWidth
        var out = y
        forEachPixel(x, batch: n, geometry: g) { origin, width, rows, columns in
            // wrapping arithmetic: the offsets are in range by construction, and overflow checks
            // were most of this loop's instructions
            for block in stride(from: 0, to: f, by: lanes) {
                var sum = SIMD16<Float>.load(bias + block)
                var inputRow = origin + rows.lowerBound &* width
                var kernelRow = kernel + ((rows.lowerBound &* kw) &* f &+ block)
                for _ in rows {
                    // each kernel row its own chain of multiply-adds, so that the rows overlap
                    var rowSum = SIMD16<Float>.zero
                    var c = columns.lowerBound
                    while c < columns.upperBound {
                        rowSum.addProduct(inputRow[c], SIMD16<Float>.load(kernelRow + c &* f))
                        c &+= 1
                    }
                    sum += rowSum
                    inputRow += width
                    kernelRow += kw &* f
                }
                (rectify ? sum.rectified() : sum).store(out + block)
            }
            out += f
        }
    }

    /// kernel gradient (T, F) += sum over the output pixels of x's tap values times dz's row.
    ///
    ///     x (N, H, W, 1), dz (N, OH, OW, F) -> gradient (T, F), accumulated
    public static func accumulateKernelGradient(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                                outputGradient dz: UnsafePointer<Float>, filters f: Int,
                                                into gradient: UnsafeMutablePointer<Float>) {
        precondition(handles(g, filters: f), "SingleChannelConvolution: \(g.channels) channels, \(f) filters")
        let kw = g.kernelWidth, taps = g.kernelHeight * kw
        // one block of 16 filters' sums for every tap, apart from the gradient: each tap's sum is one
        // chain over the pixels, added to the gradient once
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: taps) { sums in
            for block in stride(from: 0, to: f, by: lanes) {
                for t in 0..<taps { sums[t] = .zero }
                var row = dz + block
                forEachPixel(x, batch: n, geometry: g) { origin, width, rows, columns in
                    let d = SIMD16<Float>.load(row)
                    var inputRow = origin + rows.lowerBound &* width
                    var tapRow = sums.baseAddress! + rows.lowerBound &* kw
                    for _ in rows {
                        var c = columns.lowerBound
                        while c < columns.upperBound {
                            tapRow[c].addProduct(inputRow[c], d)
                            c &+= 1
                        }
                        inputRow += width
                        tapRow += kw
                    }
                    row += f
                }
                for t in 0..<taps {
                    (SIMD16<Float>.load(gradient + t * f + block) + sums[t]).store(gradient + t * f + block)
                }
            }
        }
    }

    /// Calls body(origin, W, rows, columns) for every output pixel in order (n, oh, ow): the taps
    /// (kh, kw) inside the image are kh in `rows`, kw in `columns` (the padding's left out), and tap
    /// (kh, kw) reads origin[kh * W + kw]. `origin` is where tap (0, 0) would read, computed as an
    /// offset from the image and only dereferenced at taps inside it.
    @inline(__always)
    private static func forEachPixel(_ x: UnsafePointer<Float>, batch n: Int, geometry g: WindowGeometry,
                                     _ body: (UnsafePointer<Float>, Int, Range<Int>, Range<Int>) -> Void) {
        let (h, w, kh, kw) = (g.height, g.width, g.kernelHeight, g.kernelWidth)
        for image in 0..<n {
            let base = x + image &* h &* w
            for oh in 0..<g.outHeight {
                let top = oh &* g.strideHeight &- g.padTop
                let rows = max(0, -top)..<min(kh, h &- top)
                for ow in 0..<g.outWidth {
                    let left = ow &* g.strideWidth &- g.padLeft
                    let columns = max(0, -left)..<min(kw, w &- left)
                    body(base.advanced(by: top &* w &+ left), w, rows, columns)
                }
            }
        }
    }
}
