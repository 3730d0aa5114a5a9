import Tensor
import TestSupport
import XCTest

final class Im2colTests: XCTestCase {
    func testSamePaddingGeometryFollowsTensorFlow() {
        // 9x13 input, 3x3 kernel, stride 1: same size, one pixel of padding on each side
        let g = WindowGeometry(height: 9, width: 13, channels: 1, kernel: (3, 3), strides: (1, 1), padding: .same)!
        XCTAssertEqual([g.outHeight, g.outWidth, g.padTop, g.padLeft], [9, 13, 1, 1])
        // stride 2 on even input: out = 5, total pad = (5-1)*2 + 3 - 10 = 1 -> top 0, bottom 1
        let s = WindowGeometry(height: 10, width: 10, channels: 2, kernel: (3, 3), strides: (2, 2), padding: .same)!
        XCTAssertEqual([s.outHeight, s.padTop], [5, 0])
        let v = WindowGeometry(height: 9, width: 13, channels: 1, kernel: (2, 2), strides: (2, 2), padding: .valid)!
        XCTAssertEqual([v.outHeight, v.outWidth], [4, 6])
        XCTAssertNil(WindowGeometry(height: 1, width: 13, channels: 1, kernel: (2, 2), strides: (2, 2),
                                    padding: .valid))
    }

    func testIm2colTimesKernelEqualsDirectConvolution() {
        var rng = RandomGenerator(seed: 3)
        let (n, h, w, c, f) = (2, 5, 6, 3, 4)
        for (padding, strides) in [(Padding.same, (1, 1)), (.valid, (2, 1)), (.same, (2, 2))] {
            let g = WindowGeometry(height: h, width: w, channels: c, kernel: (3, 2), strides: strides,
                                   padding: padding)!
            let x = (0..<(n * h * w * c)).map { _ in rng.nextNormal() }
            let kernel = (0..<(g.patchSize * f)).map { _ in rng.nextNormal() }  // (KH, KW, C, F)
            let rows = n * g.outHeight * g.outWidth
            var cols = [Float](repeating: .nan, count: rows * g.patchSize)
            im2col(x, batch: n, geometry: g, cols: &cols)
            var y = [Float](repeating: 0, count: rows * f)
            gemm(m: rows, n: f, k: g.patchSize, a: cols, b: kernel, c: &y)
            var direct = [Float](repeating: 0, count: rows * f)
            for b in 0..<n { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for o in 0..<f {
                var s: Float = 0
                for kh in 0..<3 { for kw in 0..<2 { for ci in 0..<c {
                    let ih = oh * strides.0 - g.padTop + kh, iw = ow * strides.1 - g.padLeft + kw
                    guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                    s += x[((b * h + ih) * w + iw) * c + ci] * kernel[((kh * 2 + kw) * c + ci) * f + o]
                } } }
                direct[((b * g.outHeight + oh) * g.outWidth + ow) * f + o] = s
            } } } }
            assertClose(y, direct, tolerance: 1e-5, "\(padding) \(strides)")
        }
    }

    func testCol2imIsTheAdjointOfIm2col() {
        // <im2col(x), d> == <x, col2im(d)> for random x and d
        var rng = RandomGenerator(seed: 5)
        let g = WindowGeometry(height: 4, width: 5, channels: 2, kernel: (3, 3), strides: (1, 2), padding: .same)!
        let n = 2, rows = n * g.outHeight * g.outWidth
        let x = (0..<(n * 4 * 5 * 2)).map { _ in rng.nextNormal() }
        let d = (0..<(rows * g.patchSize)).map { _ in rng.nextNormal() }
        var cols = [Float](repeating: 0, count: d.count)
        im2col(x, batch: n, geometry: g, cols: &cols)
        var dx = [Float](repeating: .nan, count: x.count)
        col2im(d, batch: n, geometry: g, dx: &dx)
        let lhs = zip(cols, d).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, dx).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(lhs)))
    }
}
