import Layers
import Tensor
import TestSupport
import XCTest

/// `Winograd3x3.run` on arrays: the kernel transformed, the output (N, outputShape...) filled with
/// NaN first so that an element the run leaves unwritten shows.
func runWinograd(_ w: Winograd3x3, x: [Float], kernel: [Float], bias: [Float], batch n: Int,
                 rectify: Bool = false) -> [Float] {
    var u = [Float](repeating: 0, count: w.transformedKernelCount)
    var y = [Float](repeating: .nan, count: n * w.outputShape.reduce(1, *))
    var scratch = [Float](repeating: 0, count: w.scratchCount(batch: n))
    kernel.withUnsafeBufferPointer { kp in
        u.withUnsafeMutableBufferPointer { w.transformKernel(kp.baseAddress!, into: $0.baseAddress!) }
    }
    x.withUnsafeBufferPointer { xp in
        u.withUnsafeBufferPointer { up in
            bias.withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        w.run(xp.baseAddress!, batch: n, transformedKernel: up.baseAddress!, bias: bp.baseAddress!,
                              output: yp.baseAddress!, scratch: sp.baseAddress!, rectify: rectify)
                    }
                }
            }
        }
    }
    return y
}

/// The transform points of the Winograd tiles a convolution's forward runs: for one image every
/// block's products are issued once per point (nil when the counts disagree).
func forwardPoints(_ layer: Conv2D, _ input: [Int]) -> Int? {
    let counts = Set(layer.products(inputShape: input, batch: 1, inputGradient: false).forward.map(\.count))
    return counts.count == 1 ? counts.first : nil
}

/// Equal within `tolerance` of b's largest entry, which must not be 0 (Winograd against im2col: the
/// error grows with the largest value, not with each entry).
func assertWithinLargest(_ a: Tensor, _ b: Tensor, tolerance: Float, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
    let largest = b.data.map(abs).max() ?? 0
    let worst = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? .nan
    XCTAssertGreaterThan(largest, 0, what, file: file, line: line)
    XCTAssertLessThanOrEqual(worst, tolerance * largest, what, file: file, line: line)
}

/// Finite differences through a convolution whose tiles have `points` transform points (every
/// parameter and the input, 48 coordinates): a 'same' tanh layer on `same` (H, W, C) and a 'valid'
/// sigmoid layer on `valid`, each first checked to run those tiles.
func checkGradientsThroughTiles(points: Int, same: [Int], valid: [Int],
                                file: StaticString = #filePath, line: UInt = #line) throws {
    let cases: [(Conv2D, [Int], UInt64)] = [
        (Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .tanh), same, 26),
        (Conv2D(filters: 2, kernelSize: (3, 3), padding: .valid, activation: .sigmoid), valid, 27),
    ]
    for (conv, input, seed) in cases {
        let layer = try built(conv, input)
        XCTAssertEqual(forwardPoints(layer, input), points, "\(input)", file: file, line: line)
        checkGradients(layer, input: randomTensor([2] + input, seed: seed), coordinates: 48, file: file, line: line)
    }
}
