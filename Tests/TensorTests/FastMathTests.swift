import Foundation
import Tensor
import TestSupport
import XCTest

/// The vectorisable exp / sigmoid / tanh against Double-precision Foundation on a fine grid.
final class FastMathTests: XCTestCase {
    private let grid: [Float] = stride(from: -90.0, through: 90.0, by: 0.0037).map { Float($0) }

    func testExpRelativeErrorWithinThreeUlps() {
        var worst = 0.0, at: Float = 0
        for x in grid where x >= -87 && x <= 87 {
            let exact = Foundation.exp(Double(x))
            let rel = abs(Double(fastExp(x)) - exact) / exact
            if rel > worst { worst = rel; at = x }
        }
        XCTAssertLessThan(worst, 3 * 5.97e-8, "fastExp worst relative error \(worst) at \(at)")
    }

    func testSigmoidAndTanhAbsoluteError() {
        var worstS = 0.0, worstT = 0.0
        for x in grid {
            worstS = max(worstS, abs(Double(fastSigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
            worstT = max(worstT, abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
        }
        XCTAssertLessThan(worstS, 2e-7, "sigmoid worst absolute error")
        XCTAssertLessThan(worstT, 2e-7, "tanh worst absolute error")
    }

    func testLimitsStayNormalAndNaNPropagates() {
        XCTAssertTrue(fastExp(1000).isFinite)
        XCTAssertTrue(fastExp(-1000).isNormal)
        XCTAssertTrue(fastSigmoid(-1000).isNormal, "no subnormal out of sigmoid")
        XCTAssertEqual(fastSigmoid(1000), 1)
        XCTAssertEqual(fastTanh(50), 1)
        XCTAssertEqual(fastTanh(-50), -1)
        XCTAssertEqual(fastTanh(0), 0)
        XCTAssertTrue(fastExp(.nan).isNaN)
        XCTAssertTrue(fastTanh(.nan).isNaN)
    }

    /// The buffer kernels (C, vectorised, FMA where the CPU has it) against Double precision, on the
    /// whole grid (a length that leaves a vector tail), with the scalar functions' bounds.
    func testBufferKernelsAgainstDoublePrecision() {
        let inRange = grid.filter { $0 >= -87 && $0 <= 87 }
        var y = inRange
        y.withUnsafeMutableBufferPointer { expInPlace($0.baseAddress!, count: $0.count) }
        let expErrors: [Double] = zip(inRange, y).map { x, e in
            let exact = Foundation.exp(Double(x))
            return abs(Double(e) - exact) / exact
        }
        let worstExp = worstOf(expErrors)
        XCTAssertLessThan(worstExp, 3 * 5.97e-8, "expInPlace worst relative error")
        y = grid
        y.withUnsafeMutableBufferPointer { sigmoidInPlace($0.baseAddress!, count: $0.count) }
        let sigmoidErrors: [Double] = zip(grid, y).map { x, s in abs(Double(s) - 1 / (1 + Foundation.exp(-Double(x)))) }
        let worstS = worstOf(sigmoidErrors)
        XCTAssertLessThan(worstS, 2e-7, "sigmoidInPlace worst absolute error")
        y = grid
        y.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: $0.count) }
        let tanhErrors: [Double] = zip(grid, y).map { x, t in abs(Double(t) - Foundation.tanh(Double(x))) }
        let worstT = worstOf(tanhErrors)
        XCTAssertLessThan(worstT, 2e-7, "tanhInPlace worst absolute error")
    }

    func testBufferKernelLimitsStayNormalAndNaNPropagates() {
        var y: [Float] = [1000, -1000, .nan, 50, -50, 0]
        y.withUnsafeMutableBufferPointer { expInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertTrue(y[0].isFinite); XCTAssertTrue(y[1].isNormal); XCTAssertTrue(y[2].isNaN)
        y = [1000, -1000, .nan]
        y.withUnsafeMutableBufferPointer { sigmoidInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(y[0], 1); XCTAssertTrue(y[1].isNormal, "no subnormal out of sigmoid"); XCTAssertTrue(y[2].isNaN)
        y = [50, -50, 0, .nan]
        y.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(Array(y[0..<3]), [1, -1, 0]); XCTAssertTrue(y[3].isNaN)
    }
}

/// The NaN-aware measures the numeric tests bound (TestSupport): a NaN anywhere is the worst value.
final class WorstOfTests: XCTestCase {
    func testANaNAnywhereIsTheWorst() {
        XCTAssertEqual([0.1, Double.nan].max(), 0.1, "why: Swift's max() skips a NaN after the first element")
        XCTAssertEqual(worstOf([0.1, Double.nan, 0.2]), .infinity)
        XCTAssertEqual(worstOf([0.1, 0.3, 0.2] as [Float]), 0.3)
        XCTAssertEqual(worstOf([Double]()), 0)
        XCTAssertEqual(largestDifference([1, 2, 3] as [Float], [1, 2.5, .nan]), .infinity)
        XCTAssertEqual(largestDifference([1, 2] as [Float], [1, 2.5]), 0.5)
        XCTAssertEqual(largestDifference([1, 2] as [Float], [1]), .infinity)
    }
}
