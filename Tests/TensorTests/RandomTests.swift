import Tensor
import TestSupport
import XCTest

final class RandomTests: XCTestCase {
    func testSameSeedSameSequenceAndDifferentSeedsDiffer() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let sa = (0..<5).map { _ in a.next() }, sb = (0..<5).map { _ in b.next() }, sc = (0..<5).map { _ in c.next() }
        XCTAssertEqual(sa, sb)
        XCTAssertNotEqual(sa, sc)
    }

    func testUniformAndNormalMoments() {
        var rng = RandomGenerator(seed: 7)
        let u = (0..<100_000).map { _ in Double(rng.nextUniform()) }
        XCTAssertEqual(u.reduce(0, +) / 1e5, 0.5, accuracy: 0.01)
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let z = (0..<100_000).map { _ in Double(rng.nextNormal()) }
        let mean = z.reduce(0, +) / 1e5
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1e5
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
    }

    /// Both values of each Box-Muller pair are standard normal and independent of each other: mean 0,
    /// variance 1, kurtosis 3, and no correlation within a pair (the sine and cosine of one angle).
    func testNormalsInPairsAreIndependentStandardNormals() {
        var rng = RandomGenerator(seed: 8)
        let n = 100_001   // odd: the last one from nextNormal
        let z = rng.normals(n).map(Double.init)
        XCTAssertEqual(z.count, n)
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let kurtosis = z.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n) / (variance * variance)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        XCTAssertEqual(kurtosis, 3, accuracy: 0.1)
        let pairs = n / 2
        var withinPair = 0.0, squaresWithinPair = 0.0
        for p in 0..<pairs {
            let x = z[2 * p], y = z[2 * p + 1]
            withinPair += x * y
            squaresWithinPair += x * x * y * y
        }
        withinPair /= Double(pairs)
        squaresWithinPair /= Double(pairs)
        XCTAssertEqual(withinPair, 0, accuracy: 0.02)
        XCTAssertEqual(squaresWithinPair, 1, accuracy: 0.05, "independent: E[x^2 y^2] = 1")
        XCTAssertTrue(rng.normals(0).isEmpty)
    }

    func testGlorotUniformUsesKerasFans() {
        var rng = RandomGenerator(seed: 1)
        // conv kernel (3, 3, 16, 32): fanIn 144, fanOut 288 -> limit sqrt(6/432)
        XCTAssertTrue(Initializer.fans([3, 3, 16, 32]) == (144, 288))
        let k = Initializer.glorotUniform.make([3, 3, 16, 32], using: &rng)
        let limit = (6.0 / 432.0).squareRoot()
        let maxAbs = k.data.map { abs(Double($0)) }.max()!
        XCTAssertLessThanOrEqual(maxAbs, limit)
        XCTAssertGreaterThan(maxAbs, 0.95 * limit)   // uses the whole range
    }

    func testOrthogonalRowsAreOrthonormalForWideMatrices() {
        var rng = RandomGenerator(seed: 2)
        for shape in [[4, 16], [16, 4], [8, 8]] {
            let q = Initializer.orthogonal(gain: 1).make(shape, using: &rng)
            let (r, c) = (shape[0], shape[1])
            // the smaller side is orthonormal: Q Q^T = I (wide) or Q^T Q = I (tall)
            let k = min(r, c)
            for i in 0..<k { for j in 0..<k {
                var s = 0.0
                for p in 0..<max(r, c) {
                    s += r <= c ? Double(q.data[i * c + p] * q.data[j * c + p])
                                : Double(q.data[p * c + i] * q.data[p * c + j])
                }
                XCTAssertEqual(s, i == j ? 1 : 0, accuracy: 1e-5, "shape \(shape) entry (\(i), \(j))")
            } }
        }
    }

    /// The QR inside OpenBLAS rounds differently with 2 threads for a (640, 160) matrix: the
    /// initialiser runs it on one thread, so the weights do not depend on the thread count (which
    /// DataParallel changes process-wide), and it leaves the thread count as it found it.
    func testOrthogonalIsTheSameForEveryBLASThreadCount() {
        let threads = BLAS.threads
        defer { BLAS.threads = threads }
        var made: [[Float]] = []
        for count in [2, 1, 2] {
            BLAS.threads = count
            var rng = RandomGenerator(seed: 0)
            made.append(Initializer.orthogonal(gain: 1).make([160, 640], using: &rng).data)
            XCTAssertEqual(BLAS.threads, count, "the initialiser must restore the BLAS thread count")
        }
        XCTAssertTrue(made[0] == made[1], "orthogonal weights differ between 2 and 1 BLAS threads")
        XCTAssertTrue(made[0] == made[2], "orthogonal weights differ between two calls with 2 BLAS threads")
    }
}
