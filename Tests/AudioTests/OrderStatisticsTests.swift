@testable import Audio
import Tensor
import XCTest

/// The quickselect median against sorting and reading the middle (numpy's median), bit for bit.
final class OrderStatisticsTests: XCTestCase {
    private func sortedMedian(_ values: [Double]) -> Double {
        let s = values.sorted(), c = s.count
        return c % 2 == 1 ? s[c / 2] : (s[c / 2 - 1] + s[c / 2]) / 2
    }

    /// Odd and even counts from 1 to 60 and the size the envelope peak sorts (4,075), on values with
    /// many ties, on distinct values, and on sorted, reversed and constant arrays.
    func testMedianEqualsTheSortedMiddle() {
        var rng = RandomGenerator(seed: 11)
        var cases: [[Double]] = []
        for n in Array(1...60) + [4075, 4076] {
            cases.append((0..<n).map { _ in Double(Int(rng.nextUniform() * 5)) })          // ties
            cases.append((0..<n).map { _ in Double(rng.nextUniform()) * 1e3 })              // distinct
            cases.append((0..<n).map(Double.init))                                          // sorted
            cases.append((0..<n).reversed().map(Double.init))                               // reversed
            cases.append([Double](repeating: 2.5, count: n))                                // constant
        }
        for values in cases {
            var reordered = values
            let got = OrderStatistics.median(reordering: &reordered)
            XCTAssertEqual(got.bitPattern, sortedMedian(values).bitPattern, "\(values.count) values: \(values.prefix(8))")
            XCTAssertEqual(reordered.sorted(), values.sorted(), "the values are only reordered")
        }
    }

    /// After select(k), v[k] is the k-th smallest, nothing before it is larger and nothing after smaller.
    func testSelectPartitionsAroundTheKthSmallest() {
        var rng = RandomGenerator(seed: 12)
        for n in [1, 2, 3, 7, 64, 301] {
            let values = (0..<n).map { _ in Double(Int(rng.nextUniform() * 20)) }
            for k in Set([0, n / 3, n / 2, n - 1]) {
                var v = values
                v.withUnsafeMutableBufferPointer { OrderStatistics.select(k, in: $0) }
                XCTAssertEqual(v[k], values.sorted()[k], "n \(n), k \(k)")
                XCTAssertTrue(v[..<k].allSatisfy { $0 <= v[k] } && v[(k + 1)...].allSatisfy { $0 >= v[k] }, "n \(n), k \(k)")
            }
        }
    }
}
