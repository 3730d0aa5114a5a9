import Tensor
import TestSupport
import XCTest

/// `SingleChannelConvolution` against a direct sum in Double over every pixel, tap and filter.
final class SingleChannelConvolutionTests: XCTestCase {
    /// (H, W, kernel, strides, padding): the reference CNN's first layer, asymmetric same padding
    /// with strides, and a strided valid convolution.
    private let geometries: [(Int, Int, (Int, Int), (Int, Int), Padding)] = [
        (9, 13, (3, 3), (1, 1), .same), (8, 7, (3, 4), (2, 2), .same), (5, 6, (2, 3), (2, 1), .valid),
    ]

    private func random(_ count: Int, _ rng: inout RandomGenerator) -> [Float] {
        (0..<count).map { _ in rng.nextNormal() }
    }

    /// y[n, oh, ow, f] = bias[f] + sum over the taps inside the image of x * kernel, in Double.
    private func directForward(_ x: [Float], batch n: Int, _ g: WindowGeometry, kernel: [Float], bias: [Float],
                               filters f: Int) -> [Double] {
        var y = [Double](repeating: 0, count: n * g.outHeight * g.outWidth * f)
        forEachTap(batch: n, g) { pixel, input, tap in
            for o in 0..<f { y[pixel * f + o] += Double(x[input]) * Double(kernel[tap * f + o]) }
        }
        for pixel in 0..<(n * g.outHeight * g.outWidth) {
            for o in 0..<f { y[pixel * f + o] += Double(bias[o]) }
        }
        return y
    }

    /// body(output pixel, input index, tap index) for every tap inside the image.
    private func forEachTap(batch n: Int, _ g: WindowGeometry, _ body: (Int, Int, Int) -> Void) {
        var pixel = 0
        for b in 0..<n { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                let ih = oh * g.strideHeight - g.padTop + kh, iw = ow * g.strideWidth - g.padLeft + kw
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                body(pixel, (b * g.height + ih) * g.width + iw, kh * g.kernelWidth + kw)
            } }
            pixel += 1
        } } }
    }

    func testForwardMatchesTheDirectSum() {
        var rng = RandomGenerator(seed: 21)
        for (h, w, kernelSize, strides, padding) in geometries {
            let g = WindowGeometry(height: h, width: w, channels: 1, kernel: kernelSize, strides: strides,
                                   padding: padding)!
            for (f, rectify) in [(16, true), (32, false)] {
                let n = 3, taps = kernelSize.0 * kernelSize.1
                let x = random(n * h * w, &rng), kernel = random(taps * f, &rng), bias = random(f, &rng)
                var y = [Float](repeating: .nan, count: n * g.outHeight * g.outWidth * f)
                SingleChannelConvolution.forward(x, batch: n, geometry: g, kernel: kernel, filters: f, bias: bias,
                                                 output: &y, rectify: rectify)
                let expected = directForward(x, batch: n, g, kernel: kernel, bias: bias, filters: f)
                    .map { Float(rectify ? max($0, 0) : $0) }
                assertClose(y, expected, tolerance: 1e-5, "\(h)x\(w) \(kernelSize) \(strides) \(padding) F \(f)")
                if rectify { XCTAssertTrue(y.contains(0) && y.contains { $0 > 0 }, "relu both ways") }
            }
        }
    }

    func testKernelGradientAddsTheTapSums() {
        var rng = RandomGenerator(seed: 22)
        for (h, w, kernelSize, strides, padding) in geometries {
            let g = WindowGeometry(height: h, width: w, channels: 1, kernel: kernelSize, strides: strides,
                                   padding: padding)!
            let n = 2, f = 32, taps = kernelSize.0 * kernelSize.1
            let x = random(n * h * w, &rng), dz = random(n * g.outHeight * g.outWidth * f, &rng)
            let before = random(taps * f, &rng)   // accumulates onto what is there
            var gradient = before
            SingleChannelConvolution.accumulateKernelGradient(x, batch: n, geometry: g, outputGradient: dz,
                                                              filters: f, into: &gradient)
            var expected = before.map(Double.init)
            forEachTap(batch: n, g) { pixel, input, tap in
                for o in 0..<f { expected[tap * f + o] += Double(x[input]) * Double(dz[pixel * f + o]) }
            }
            assertClose(gradient, expected.map { Float($0) }, tolerance: 1e-5, "\(h)x\(w) \(kernelSize) \(padding)")
        }
    }

    func testHandlesOneChannelAndWholeVectorsOfFilters() {
        let one = WindowGeometry(height: 9, width: 13, channels: 1, kernel: (3, 3), strides: (1, 1), padding: .same)!
        let two = WindowGeometry(height: 9, width: 13, channels: 2, kernel: (3, 3), strides: (1, 1), padding: .same)!
        XCTAssertTrue(SingleChannelConvolution.handles(one, filters: 16))
        XCTAssertTrue(SingleChannelConvolution.handles(one, filters: 48))
        XCTAssertFalse(SingleChannelConvolution.handles(one, filters: 8))
        XCTAssertFalse(SingleChannelConvolution.handles(two, filters: 16))
    }
}
