import CSupport
import Tensor
import TestSupport
import XCTest

/// CSupport's batch-normalization loops against the scalar Swift loops they replaced (each channel's
/// sums over the rows in order, no contraction): equal bit for bit, for channel counts below, at and
/// past the vector widths and row counts from one up.
final class BatchNormalizationKernelTests: XCTestCase {
    private let shapes = [(1, 1), (5, 3), (333, 1), (7, 16), (64, 17), (129, 64), (31, 67)]

    private func random(_ count: Int, _ rng: inout RandomGenerator, scale: Float = 1, offset: Float = 0) -> [Float] {
        (0..<count).map { _ in offset + scale * rng.nextNormal() }
    }

    func testMomentsAndNormalizationEqualTheScalarLoops() {
        var rng = RandomGenerator(seed: 21)
        for (rows, c) in shapes {
            let x = random(rows * c, &rng, scale: 3, offset: 40)      // far from 0: the double sums matter
            var sums = [Double](repeating: 0, count: c), squares = sums
            var mean = [Float](repeating: 0, count: c), variance = mean
            earmark_channel_moments(x, rows, c, &sums, &squares, &mean, &variance)
            var expectedSums = [Double](repeating: 0, count: c), expectedSquares = expectedSums
            for m in 0..<rows { for j in 0..<c { expectedSums[j] += Double(x[m * c + j]) } }
            let expectedMean = (0..<c).map { Float(expectedSums[$0] / Double(rows)) }
            for m in 0..<rows {
                for j in 0..<c {
                    let d = Double(x[m * c + j]) - Double(expectedMean[j])
                    expectedSquares[j] += d * d
                }
            }
            XCTAssertEqual(mean, expectedMean, "\(rows) x \(c)")
            XCTAssertEqual(variance, (0..<c).map { Float(expectedSquares[$0] / Double(rows)) }, "\(rows) x \(c)")

            let invStd = variance.map { 1 / ($0 + 1e-3).squareRoot() }
            let gamma = random(c, &rng), beta = random(c, &rng)
            var normalized = [Float](repeating: 0, count: rows * c), y = normalized
            earmark_normalize_channels(x, rows, c, mean, invStd, gamma, beta, &normalized, &y)
            for m in 0..<rows {
                for j in 0..<c {
                    let v = (x[m * c + j] - mean[j]) * invStd[j]
                    XCTAssertEqual(normalized[m * c + j], v)
                    XCTAssertEqual(y[m * c + j], gamma[j] * v + beta[j])
                }
            }
        }
    }

    func testGradientSumsAndInputGradientEqualTheScalarLoops() {
        var rng = RandomGenerator(seed: 22)
        for (rows, c) in shapes {
            let dy = random(rows * c, &rng), xhat = random(rows * c, &rng)
            var sums = [Double](repeating: 0, count: c), products = sums
            earmark_channel_gradient_sums(dy, xhat, rows, c, &sums, &products)
            var expectedSums = [Double](repeating: 0, count: c), expectedProducts = expectedSums
            for m in 0..<rows {
                for j in 0..<c {
                    expectedSums[j] += Double(dy[m * c + j])
                    expectedProducts[j] += Double(dy[m * c + j] * xhat[m * c + j])
                }
            }
            XCTAssertEqual(sums, expectedSums, "\(rows) x \(c)")
            XCTAssertEqual(products, expectedProducts, "\(rows) x \(c)")

            let gain = random(c, &rng), meanDy = random(c, &rng), meanDyXhat = random(c, &rng)
            var dx = [Float](repeating: 0, count: rows * c)
            earmark_normalization_input_gradient(dy, xhat, rows, c, gain, meanDy, meanDyXhat, &dx)
            for i in 0..<rows * c {
                let j = i % c
                XCTAssertEqual(dx[i], gain[j] * (dy[i] - meanDy[j] - xhat[i] * meanDyXhat[j]), "\(rows) x \(c), \(i)")
            }
        }
    }
}
