import Layers
import Tensor
import TestSupport
import XCTest

/// `Winograd3x3.run(rectify: true)`: relu inside the output transform, as Conv2D's forward pass uses
/// it for relu layers, equals the transform without it followed by `Activation.relu.apply`, bit for
/// bit (F(2x2, 3x3) with clipped edge tiles, F(4x4, 3x3), several blocks, a NaN input, -0 outputs).
final class WinogradRectifyTests: XCTestCase {
    func testRectifiedOutputEqualsReluAfterwards() throws {
        let cases: [(h: Int, w: Int, c: Int, f: Int, n: Int, tile: Int)] = [
            (9, 13, 16, 32, 3, 2), (8, 12, 64, 128, 2, 4), (9, 9, 20, 17, 40, 2), (4, 8, 3, 5, 1, 4),
        ]
        for k in cases {
            let shape = "\(k.h)x\(k.w)x\(k.c) -> \(k.f), n \(k.n), tile \(k.tile)"
            let w = try XCTUnwrap(Winograd3x3(height: k.h, width: k.w, channels: k.c, filters: k.f, padTop: 1,
                                              padLeft: 1, convolutionOutput: (k.h, k.w), output: .full,
                                              outputTile: k.tile), shape)
            var x = randomTensor([k.n, k.h, k.w, k.c], seed: 41).data
            x[k.c * 3 + 1] = .nan                       // one NaN input: its outputs stay NaN
            let kernel = randomTensor([3, 3, k.c, k.f], seed: 42).data
            var bias = randomTensor([k.f], seed: 43).data
            bias[0] = -1e30                              // filter 0 far below 0: rectified to +0
            let count = k.n * w.outputShape.reduce(1, *)
            func run(rectify: Bool) -> [Float] {
                runWinograd(w, x: x, kernel: kernel, bias: bias, batch: k.n, rectify: rectify)
            }
            var expected = run(rectify: false)
            expected.withUnsafeMutableBufferPointer {
                Activation.relu.apply($0.baseAddress!, rows: count / k.f, columns: k.f)
            }
            let fused = run(rectify: true)
            XCTAssertTrue(expected.contains { $0.isNaN } && expected.contains { $0 == 0 } && expected.contains { $0 > 0 },
                          shape)
            for i in 0..<count where fused[i].bitPattern != expected[i].bitPattern {
                XCTFail("\(shape): y[\(i)] \(fused[i]) rectified in the transform, \(expected[i]) by relu after")
                break
            }
        }
    }

    /// A relu layer's forward pass (relu fused) against the same layer with Winograd off (im2col,
    /// bias and relu in one pass) and a linear layer relu'd afterwards.
    func testReluLayerForwardMatchesIm2col() throws {
        let layer = try built(Conv2D(filters: 64, kernelSize: (3, 3), padding: .same, activation: .relu), [9, 13, 32])
        let x = randomTensor([2, 9, 13, 32], seed: 44)
        let fused = layer.forward(x, training: true).data
        layer.winogradEnabled = false
        let direct = layer.forward(x, training: true).data
        let largest = direct.map(abs).max() ?? 0
        XCTAssertGreaterThan(largest, 0)
        for i in direct.indices {
            XCTAssertEqual(fused[i], direct[i], accuracy: 2e-5 * largest, "y[\(i)]")
            XCTAssertGreaterThanOrEqual(fused[i], 0, "y[\(i)]")
        }
    }
}
