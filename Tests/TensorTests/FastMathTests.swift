import Foundation
import Tensor
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

    func testBufferKernelsMatchScalar() {
        var y: [Float] = [-3, -0.5, 0, 0.25, 2, 9]
        let x = y
        y.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(y, x.map(fastTanh))
        y = x
        y.withUnsafeMutableBufferPointer { sigmoidInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(y, x.map(fastSigmoid))
        y = x
        y.withUnsafeMutableBufferPointer { expInPlace($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(y, x.map(fastExp))
    }
}
