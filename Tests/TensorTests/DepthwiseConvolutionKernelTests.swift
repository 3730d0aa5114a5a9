@testable import Tensor
import TestSupport
import XCTest

/// CSupport's depthwise loops (depth multiplier 1) against the Swift loops they stand in for: equal
/// bit for bit, with and without bias, for channel counts below, at and past the vector widths, with
/// padding on every side and strides. (The Swift loops, and the multiplier-1 path through the layers,
/// are checked against Keras and PyTorch by Layers' DepthwiseConvolutionTests.)
final class DepthwiseConvolutionKernelTests: XCTestCase {
    func testCKernelsEqualTheSwiftLoops() throws {
        let cases: [(h: Int, w: Int, c: Int, kernel: (Int, Int), strides: (Int, Int), padding: Padding)] = [
            (5, 6, 1, (3, 3), (1, 1), .valid), (9, 13, 16, (3, 3), (1, 1), .same), (7, 6, 17, (3, 2), (2, 2), .same),
            (4, 9, 64, (2, 2), (1, 2), .same), (6, 5, 3, (1, 3), (2, 1), .valid), (3, 3, 33, (5, 5), (1, 1), .same)]
        var rng = RandomGenerator(seed: 31)
        for (index, t) in cases.enumerated() {
            let g = try XCTUnwrap(WindowGeometry(height: t.h, width: t.w, channels: t.c, kernel: t.kernel,
                                                 strides: t.strides, padding: t.padding))
            let n = 2, taps = t.kernel.0 * t.kernel.1, outCount = n * g.outHeight * g.outWidth * t.c
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in rng.nextNormal() } }
            let x = values(n * t.h * t.w * t.c), kernel = values(taps * t.c), bias = values(t.c), dz = values(outCount)
            for withBias in [true, false] {
                var c = [Float](repeating: .nan, count: outCount), swift = c
                bias.withUnsafeBufferPointer { b in
                    let b = withBias ? b.baseAddress : nil
                    DepthwiseConvolution.forward(x, kernel: kernel, bias: b, batch: n, geometry: g, multiplier: 1,
                                                 output: &c)
                    DepthwiseConvolution.forwardLoops(x, kernel: kernel, bias: b, batch: n, geometry: g, multiplier: 1,
                                                      output: &swift)
                }
                XCTAssertEqual(c, swift, "case \(index), bias \(withBias): forward")
            }
            let start = values(taps * t.c)            // the kernel gradient accumulates
            var c = start, swift = start
            DepthwiseConvolution.accumulateKernelGradient(x, outputGradient: dz, batch: n, geometry: g, multiplier: 1,
                                                          into: &c)
            DepthwiseConvolution.kernelGradientLoops(x, outputGradient: dz, batch: n, geometry: g, multiplier: 1,
                                                     into: &swift)
            XCTAssertEqual(c, swift, "case \(index): kernel gradient")
            XCTAssertNotEqual(c, start)
            var dxC = [Float](repeating: .nan, count: x.count), dxSwift = dxC
            DepthwiseConvolution.inputGradient(dz, kernel: kernel, batch: n, geometry: g, multiplier: 1, into: &dxC)
            DepthwiseConvolution.inputGradientLoops(dz, kernel: kernel, batch: n, geometry: g, multiplier: 1,
                                                    into: &dxSwift)
            XCTAssertEqual(dxC, dxSwift, "case \(index): input gradient")
        }
    }
}
