import Tensor
import TestSupport
import XCTest

final class GemmTests: XCTestCase {
    /// Naive row-major product of op(a) (m, k) and op(b) (k, n), in Double.
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = transA ? a[p * m + i] : a[i * k + p]
                let bv = transB ? b[j * k + p] : b[p * n + j]
                s += Double(av) * Double(bv)
            }
            c[i * n + j] = Float(s)
        } }
        return c
    }

    func testEveryTransposeCombinationMatchesNaiveProduct() {
        var rng = RandomGenerator(seed: 1)
        let (m, n, k) = (5, 7, 3)
        let a = (0..<(m * k)).map { _ in rng.nextNormal() }
        let b = (0..<(k * n)).map { _ in rng.nextNormal() }
        for transA in [false, true] { for transB in [false, true] {
            var c = [Float](repeating: 0, count: m * n)
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: &c)
            assertClose(c, naive(a, b, m: m, n: n, k: k, transA: transA, transB: transB), tolerance: 1e-5,
                        "transA \(transA) transB \(transB)")
        } }
    }

    func testBetaOneAccumulatesAndLeadingDimensionsAddressSubmatrices() {
        // c (2, 2) += rows 1...2 of a (4, 3) times b (3, 2), addressed through lda
        let a: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let b: [Float] = [1, 0, 0, 1, 1, 1]
        var c: [Float] = [100, 100, 100, 100]
        a.withUnsafeBufferPointer { ap in
            gemm(m: 2, n: 2, k: 3, a: ap.baseAddress! + 3, lda: 3, b: b, beta: 1, c: &c)
        }
        let expected: [Float] = [110, 111, 116, 117]  // 100 + (4+6, 5+6, 7+9, 8+9)
        XCTAssertEqual(c, expected)
    }

    /// The column-block form equals one product: shapes that split (with a narrower last block),
    /// that do not (small, or too many rows), with beta 1 and leading dimensions larger than the sizes.
    func testSmallColumnBlocksMatchOneProduct() {
        var rng = RandomGenerator(seed: 3)
        for (m, n, k) in [(16, 512, 128), (16, 500, 130), (32, 512, 128), (3, 7, 5), (600, 64, 128)] {
            let (lda, ldb, ldc) = (k + 3, n + 5, n + 2)
            let a = (0..<(m * lda)).map { _ in rng.nextNormal() }
            let b = (0..<(k * ldb)).map { _ in rng.nextNormal() }
            let c0 = (0..<(m * ldc)).map { _ in rng.nextNormal() }
            var expected = c0, got = c0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    expected.withUnsafeMutableBufferPointer { cp in
                        gemm(m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                             beta: 1, c: cp.baseAddress!, ldc: ldc)
                    }
                    got.withUnsafeMutableBufferPointer { cp in
                        gemmInSmallColumnBlocks(m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                                b: bp.baseAddress!, ldb: ldb, beta: 1, c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
            // the padding columns of c (beyond n) are untouched, the rest equal up to rounding
            assertClose(got, expected, tolerance: 1e-4, "(\(m), \(n), \(k))")
            for i in 0..<m { for j in n..<ldc { XCTAssertEqual(got[i * ldc + j], c0[i * ldc + j]) } }
        }
    }

    func testOpenBLASIsLinkedWithItsOwnKernels() {
        XCTAssertFalse(BLAS.coreName.isEmpty)
        XCTAssertGreaterThanOrEqual(BLAS.threads, 1)
    }
}
