import Tensor
import XCTest

final class TransposeAndColumnSumsTests: XCTestCase {
    /// Shapes the layers transpose (Dense's dz and dx^T, panels of an LSTM's R^T, a Winograd kernel's
    /// taps) and odd ones, by libxsmm's generated kernels or its generic transpose.
    func testTransposeMovesEveryValue() {
        for (rows, columns) in [(1, 1), (16, 128), (3072, 16), (16, 3072), (32, 512), (40, 160), (64, 128), (7, 5),
                                (1, 300), (300, 1), (33, 1025)] {
            let a = (0..<(rows * columns)).map { Float($0) }
            var b = [Float](repeating: .nan, count: a.count)
            transpose(a, rows: rows, columns: columns, into: &b)
            var wrong = 0
            for i in 0..<rows {
                for j in 0..<columns where b[j * rows + i] != a[i * columns + j] { wrong += 1 }
            }
            XCTAssertEqual(wrong, 0, "\(rows) x \(columns)")
        }
    }

    /// Row counts around the four-row passes: 0 to 3 rows left for the single-row loop.
    func testColumnSumsAccumulateEveryRow() {
        var rng = RandomGenerator(seed: 23)
        for rows in [1, 3, 4, 7, 8, 117] {
            let columns = 13
            let x = (0..<(rows * columns)).map { _ in rng.nextNormal() }
            let before = (0..<columns).map { _ in rng.nextNormal() }
            var sums = before
            accumulateColumnSums(x, rows: rows, columns: columns, into: &sums)
            for j in 0..<columns {
                let expected = Double(before[j]) + (0..<rows).reduce(0.0) { $0 + Double(x[$1 * columns + j]) }
                XCTAssertEqual(Double(sums[j]), expected, accuracy: 1e-5 * max(1, abs(expected)), "rows \(rows) [\(j)]")
            }
        }
    }
}
