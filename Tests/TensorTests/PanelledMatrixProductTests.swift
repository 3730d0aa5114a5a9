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

    /// `packTransposed(a)` holds b = a^T: an LSTM backward's dh (16, 128) = dGates (16, 512; rows 9 steps
    /// apart) R^T with R (128, 512) as stored, and an odd shape with a last panel of 3 columns, against
    /// a Double-precision product, and bit for bit `pack` of a transposed copy. Called again after a
    /// changes, the product reads the new a.
    func testPackTransposedIsPackOfTheTranspose() throws {
        for (m, n, k, lda, width) in [(16, 128, 512, 9 * 512, 32), (5, 19, 7, 7, 8)] {
            var rng = RandomGenerator(seed: 43)
            let a = (0..<((m - 1) * lda + k)).map { _ in rng.nextNormal() }
            let transposed = try XCTUnwrap(PanelledMatrixProduct(m: m, n: n, k: k, lda: lda, ldc: n, beta: 0,
                                                                 panelWidth: width))
            let plain = try XCTUnwrap(PanelledMatrixProduct(m: m, n: n, k: k, lda: lda, ldc: n, beta: 0,
                                                            panelWidth: width))
            func product(_ panels: PanelledMatrixProduct) -> [Float] {
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { ap in
                    c.withUnsafeMutableBufferPointer { panels(a: ap.baseAddress!, c: $0.baseAddress!) }
                }
                return c
            }
            for round in 0..<2 {
                let stored = (0..<(n * k)).map { _ in rng.nextNormal() }          // (n, k): b = stored^T
                var b = [Float](repeating: 0, count: k * n)
                for i in 0..<n { for j in 0..<k { b[j * n + i] = stored[i * k + j] } }
                stored.withUnsafeBufferPointer { transposed.packTransposed($0.baseAddress!) }
                b.withUnsafeBufferPointer { plain.pack($0.baseAddress!) }
                let c = product(transposed)
                XCTAssertEqual(c.map(\.bitPattern), product(plain).map(\.bitPattern), "(\(m), \(n), \(k)) round \(round)")
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        let expected = (0..<k).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(stored[j * k + $1]) }
                        worst = max(worst, abs(Double(c[i * n + j]) - expected))
                    }
                }
                XCTAssertLessThan(worst, 1e-4, "(\(m), \(n), \(k)) round \(round): worst absolute error")
            }
        }
    }

    /// `pack(_:version:)` copies b only when the address or the version differs from the last copy's,
    /// and every product reads the b of the last copy: the same b at the same version is not copied
    /// again, a new version or another array is, and a plain `pack` always is.
    func testVersionedPackCopiesOnlyForANewVersionOrAnotherOperand() throws {
        let (m, n, k) = (3, 10, 4)
        var rng = RandomGenerator(seed: 43)
        let a = (0..<(m * k)).map { _ in rng.nextNormal() }
        let panels = try XCTUnwrap(PanelledMatrixProduct(m: m, n: n, k: k, lda: k, ldc: n, beta: 0, panelWidth: 8))
        func product() -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { panels(a: ap.baseAddress!, c: $0.baseAddress!) }
            }
            return c
        }
        func expected(_ b: [Float]) -> [Double] {
            (0..<(m * n)).map { e in (0..<k).reduce(0.0) { $0 + Double(a[e / n * k + $1]) * Double(b[$1 * n + e % n]) } }
        }
        func check(_ b: [Float], copies: Int, _ what: String) {
            XCTAssertEqual(panels.copies, copies, "\(what): copies into the panels")
            for (got, want) in zip(product(), expected(b)) { XCTAssertEqual(Double(got), want, accuracy: 1e-5, what) }
        }
        var b = (0..<(k * n)).map { _ in rng.nextNormal() }
        b.withUnsafeBufferPointer { panels.pack($0.baseAddress!, version: 1) }
        check(b, copies: 1, "first pack")
        b.withUnsafeBufferPointer { panels.pack($0.baseAddress!, version: 1) }
        check(b, copies: 1, "same b, same version")
        b[13] += 1
        b.withUnsafeBufferPointer { panels.pack($0.baseAddress!, version: 2) }
        check(b, copies: 2, "b changed, new version")
        let other = b.map { 2 * $0 }
        other.withUnsafeBufferPointer { panels.pack($0.baseAddress!, version: 2) }
        check(other, copies: 3, "another array at the same version")
        other.withUnsafeBufferPointer { panels.pack($0.baseAddress!) }
        check(other, copies: 4, "unversioned pack")
        other.withUnsafeBufferPointer { panels.pack($0.baseAddress!, version: 2) }
        check(other, copies: 5, "versioned pack after an unversioned one")
    }
}
