@testable import Layers
import Tensor
import XCTest

/// MaxPool2D's own kernels for 2x2 / stride-2 windows inside the image (16 channels at a time, and a
/// backward that writes each dx element once instead of clearing dx and adding) against its general
/// kernels: the same outputs and gradients on inputs full of ties, on sizes the windows cover and
/// sizes with a row and a column no window reads, with and without `rectifiesGradient`.
final class MaxPoolTwoByTwoKernelTests: XCTestCase {
    func testTwoByTwoKernelsMatchTheGeneralOnes() {
        for (h, w) in [(8, 12), (9, 13)] {
            for channels in [16, 48, 20] {
                for rectify in [false, true] {
                    var rng = RandomGenerator(seed: UInt64(h * 100 + channels))
                    // halves in [-2, 2]: many ties inside a window, and outputs at exactly 0
                    let shape = [3, h, w, channels]
                    let x = Tensor(shape: shape, data: (0..<Tensor.elementCount(shape)).map { _ in
                        (rng.nextUniform() * 8).rounded(.down) / 2 - 2
                    })
                    var results: [(Tensor, Tensor)] = []
                    for fast in [true, false] {
                        let pool = MaxPool2D(poolSize: (2, 2))
                        pool.twoByTwoKernels = fast
                        pool.rectifiesGradient = rectify
                        let y = pool.forward(x, training: true)
                        let dy = Tensor(shape: y.shape, data: (0..<y.count).map { Float($0 % 7) - 3 })
                        results.append((y, pool.backward(dy)))
                    }
                    let what = "\(h) x \(w) x \(channels), rectify \(rectify)"
                    XCTAssertEqual(results[0].0.data, results[1].0.data, "y: \(what)")
                    XCTAssertEqual(results[0].1.data, results[1].1.data, "dx: \(what)")
                    XCTAssertTrue(results[0].1.data.contains { $0 != 0 }, what)
                }
            }
        }
    }
}
