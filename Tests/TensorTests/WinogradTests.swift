import Tensor
import TestSupport
import XCTest

/// Winograd F(2x2, 3x3) against a direct 'same' convolution in Double, odd and even sizes.
final class WinogradTests: XCTestCase {
    /// y (N, H, W, F) = 'same' 3x3 cross-correlation of x (N, H, W, C) with k (3, 3, C, F), in Double.
    private func direct(_ x: [Float], _ k: [Float], n: Int, h: Int, w: Int, c: Int, f: Int) -> [Float] {
        var y = [Float](repeating: 0, count: n * h * w * f)
        for b in 0..<n { for oy in 0..<h { for ox in 0..<w { for fi in 0..<f {
            var s = 0.0
            for a in 0..<3 { for e in 0..<3 {
                let (iy, ix) = (oy + a - 1, ox + e - 1)
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                for ci in 0..<c { s += Double(x[((b * h + iy) * w + ix) * c + ci]) * Double(k[((a * 3 + e) * c + ci) * f + fi]) }
            } }
            y[((b * h + oy) * w + ox) * f + fi] = Float(s)
        } } } }
        return y
    }

    private func random(_ count: Int, _ rng: inout RandomGenerator) -> [Float] {
        (0..<count).map { _ in rng.nextUniform() * 2 - 1 }
    }

    private func winograd(_ x: [Float], _ k: [Float], n: Int, h: Int, w: Int, c: Int, f: Int, flipped: Bool = false) -> [Float] {
        var y = [Float](repeating: .nan, count: n * h * w * f)
        var scratch = [Float](repeating: .nan, count: Winograd3x3.scratchCount(batch: n, height: h, width: w, channels: c, filters: f))
        x.withUnsafeBufferPointer { xp in k.withUnsafeBufferPointer { kp in y.withUnsafeMutableBufferPointer { yp in
            scratch.withUnsafeMutableBufferPointer { sp in
                Winograd3x3.convolve(xp.baseAddress!, batch: n, height: h, width: w, channels: c, kernel: kp.baseAddress!,
                                     filters: f, flippedKernel: flipped, output: yp.baseAddress!, scratch: sp.baseAddress!)
            }
        } } }
        return y
    }

    func testMatchesDirectConvolution() {
        var rng = RandomGenerator(seed: 21)
        for (n, h, w, c, f) in [(2, 5, 6, 3, 4), (1, 9, 13, 2, 5), (1, 1, 1, 2, 3), (3, 4, 3, 1, 2), (1, 2, 7, 5, 1)] {
            let x = random(n * h * w * c, &rng), k = random(9 * c * f, &rng)
            assertClose(winograd(x, k, n: n, h: h, w: w, c: c, f: f), direct(x, k, n: n, h: h, w: w, c: c, f: f),
                        tolerance: 2e-6, "winograd \((n, h, w, c, f))")
        }
    }

    /// The flipped kernel gives the input gradient: dx = conv(dy, K'), K'[a, b, f, c] = K[2 - a, 2 - b, c, f].
    func testFlippedKernelIsTheInputGradient() {
        var rng = RandomGenerator(seed: 22)
        let (n, h, w, c, f) = (2, 5, 7, 3, 4)
        let dy = random(n * h * w * f, &rng), k = random(9 * c * f, &rng)
        var flipped = [Float](repeating: 0, count: 9 * f * c)
        for a in 0..<3 { for b in 0..<3 { for ci in 0..<c { for fi in 0..<f {
            flipped[((a * 3 + b) * f + fi) * c + ci] = k[(((2 - a) * 3 + (2 - b)) * c + ci) * f + fi]
        } } } }
        assertClose(winograd(dy, k, n: n, h: h, w: w, c: f, f: c, flipped: true),
                    direct(dy, flipped, n: n, h: h, w: w, c: f, f: c), tolerance: 2e-6, "flipped")
    }
}
