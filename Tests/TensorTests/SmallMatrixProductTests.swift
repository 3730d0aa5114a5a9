import Tensor
import TestSupport
import XCTest

/// libxsmm's generated kernels (`SmallMatrixProduct`) against a Double-precision product, in the
/// shapes Earmark uses them for and with row strides that address sub-matrices.
final class SmallMatrixProductTests: XCTestCase {
    /// An LSTM step's product: gates rows (n, step) += hPrev rows (n, step) R, rows T apart.
    func testStridedStepProductAccumulatesLikeDoublePrecision() throws {
        let case_ = StridedStepCase(seed: 4)
        let product = try XCTUnwrap(case_.wholeWidthKernel(),
                                    "libxsmm has no kernel on this CPU (\(SmallMatrixProduct.target))")
        let c = case_.run(product, step: 3)
        XCTAssertLessThan(case_.worstError(of: c, step: 3), 2e-5, "worst absolute error of the strided step product")
    }

    /// beta 0 overwrites c, and odd sizes (no multiple of the vector width) are exact up to rounding.
    func testBetaZeroOverwritesOddShapes() throws {
        let (m, n, k) = (7, 13, 5)
        var rng = RandomGenerator(seed: 5)
        let a = (0..<(m * k)).map { _ in rng.nextNormal() }
        let b = (0..<(k * n)).map { _ in rng.nextNormal() }
        var c = [Float](repeating: .nan, count: m * n)
        let product = try XCTUnwrap(SmallMatrixProduct(m: m, n: n, k: k, beta: 0))
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { product(a: ap.baseAddress!, b: bp.baseAddress!, c: $0.baseAddress!) }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
                XCTAssertEqual(Double(c[i * n + j]), expected, accuracy: 1e-5, "c[\(i), \(j)]")
            }
        }
    }

    /// transA: a stored (k, m) with a row stride past m, beta 1 adding onto c, at a Winograd kernel
    /// gradient's shape (S (C, F) += V^T (C, B) Z (B, F)) and an odd one.
    func testTransposedAAccumulates() throws {
        for (m, n, k, lda) in [(64, 128, 85, 64), (7, 13, 5, 9), (16, 32, 256, 20)] {
            var rng = RandomGenerator(seed: 11)
            let a = (0..<(k * lda)).map { _ in rng.nextNormal() }
            let b = (0..<(k * n)).map { _ in rng.nextNormal() }
            let start = (0..<(m * n)).map { _ in rng.nextNormal() }
            var c = start
            let product = try XCTUnwrap(SmallMatrixProduct(m: m, n: n, k: k, lda: lda, beta: 1, transA: true),
                                        "libxsmm has no transposed kernel on this CPU (\(SmallMatrixProduct.target))")
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { product(a: ap.baseAddress!, b: bp.baseAddress!, c: $0.baseAddress!) }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let expected = (0..<k).reduce(Double(start[i * n + j])) {
                        $0 + Double(a[$1 * lda + i]) * Double(b[$1 * n + j])
                    }
                    XCTAssertEqual(Double(c[i * n + j]), expected, accuracy: 1e-4, "(\(m), \(n), \(k)) c[\(i), \(j)]")
                }
            }
        }
    }

    /// Which library runs a product: libxsmm wherever its kernels are AVX-512 ones; with AVX2 alone,
    /// OpenBLAS once b (k x n) is large for 16 rows or more (`libxsmmIsFaster`), and `preferred` gives
    /// a kernel exactly where the rule picks libxsmm on this CPU.
    func testPreferredKernelFollowsTheLibraryRule() {
        let avx2Shapes: [(m: Int, n: Int, k: Int, libxsmm: Bool)] = [
            (16, 128, 3072, false),  // the reference CNN's dense layer: OpenBLAS 2x on a Zen 3
            (144, 512, 128, false),  // an LSTM input projection
            (16, 512, 128, false),   // an LSTM step
            (32, 256, 128, false),   // b 128 KiB with 32 rows
            (16, 256, 128, true),    // b 128 KiB with 16 rows: libxsmm still ahead
            (9, 256, 256, true),     // fewer than 16 rows: OpenBLAS's packing does not pay
            (9, 128, 64, true),      // a Winograd point product
            (3072, 16, 128, true),   // the dense layer's transposed input gradient
        ]
        for s in avx2Shapes {
            XCTAssertEqual(SmallMatrixProduct.libxsmmIsFaster(m: s.m, n: s.n, k: s.k, avx512: false), s.libxsmm,
                           "AVX2 kernels, (\(s.m), \(s.n), \(s.k))")
            XCTAssertTrue(SmallMatrixProduct.libxsmmIsFaster(m: s.m, n: s.n, k: s.k, avx512: true),
                          "AVX-512 kernels, (\(s.m), \(s.n), \(s.k))")
            let preferred = SmallMatrixProduct.preferred(m: s.m, n: s.n, k: s.k, beta: 0)
            XCTAssertEqual(preferred != nil, SmallMatrixProduct.libxsmmIsFaster(m: s.m, n: s.n, k: s.k)
                               && SmallMatrixProduct(m: s.m, n: s.n, k: s.k, beta: 0) != nil,
                           "preferred kernel for (\(s.m), \(s.n), \(s.k)) on \(SmallMatrixProduct.target)")
        }
    }
}
