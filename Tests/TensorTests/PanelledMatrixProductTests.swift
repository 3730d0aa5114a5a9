import Tensor
import TestSupport
import XCTest

/// `PanelledMatrixProduct`: the LSTM / GRU step's product on b packed in column panels, against a
/// Double-precision product and against libxsmm's kernel over the whole width.
final class PanelledMatrixProductTests: XCTestCase {
    /// An LSTM step (16 sequences, 9 steps, 128 units, 512 gate columns) with rows T apart, panels of
    /// 32 and of 48 columns (the last one narrower): only the step's rows change, by h R in Double
    /// precision, and the result is bit for bit the whole-width kernel's.
    func testStridedStepMatchesDoublePrecisionAndTheWholeWidthKernel() throws {
        let case_ = StridedStepCase(seed: 41)
        let (batch, steps, units, gates) = (case_.batch, case_.steps, case_.units, case_.gates)
        let whole = try XCTUnwrap(case_.wholeWidthKernel(),
                                  "libxsmm has no kernel on this CPU (\(SmallMatrixProduct.target))")
        let step = 5
        let expectedBits = case_.run(whole, step: step)
        for width in [32, 48] {
            let panels = try XCTUnwrap(PanelledMatrixProduct(m: batch, n: gates, k: units, lda: steps * units,
                                                             ldc: steps * gates, panelWidth: width))
            case_.r.withUnsafeBufferPointer { panels.pack($0.baseAddress!) }
            var c = case_.start
            case_.h.withUnsafeBufferPointer { hp in
                c.withUnsafeMutableBufferPointer { cp in
                    panels(a: hp.baseAddress! + step * units, c: cp.baseAddress! + step * gates)
                }
            }
            XCTAssertLessThan(case_.worstError(of: c, step: step), 2e-5, "panels of \(width): worst absolute error")
            let differing = zip(c, expectedBits).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            XCTAssertEqual(differing, 0, "panels of \(width): elements not bit for bit the whole-width kernel's")
        }
    }

    /// A product after b changed and was packed again uses the new b, and odd shapes (a last panel of
    /// 3 columns) are exact up to rounding.
    func testRepackingReadsTheNewOperand() throws {
        let (m, n, k) = (5, 19, 7)
        var rng = RandomGenerator(seed: 42)
        let a = (0..<(m * k)).map { _ in rng.nextNormal() }
        let panels = try XCTUnwrap(PanelledMatrixProduct(m: m, n: n, k: k, lda: k, ldc: n, panelWidth: 8))
        for round in 0..<2 {
            let b = (0..<(k * n)).map { _ in rng.nextNormal() }
            b.withUnsafeBufferPointer { panels.pack($0.baseAddress!) }
            var c = [Float](repeating: 1, count: m * n)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { panels(a: ap.baseAddress!, c: $0.baseAddress!) }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let expected = (0..<k).reduce(1.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
                    XCTAssertEqual(Double(c[i * n + j]), expected, accuracy: 1e-5, "round \(round), c[\(i), \(j)]")
                }
            }
        }
    }
}
