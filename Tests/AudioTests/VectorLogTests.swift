import CSupport
import Foundation
import XCTest

/// `earmark_log_f64` (CSupport/VectorLog.c: glibc's libmvec log on AVX-512 or AVX2), the logarithm of
/// the MFCC's mel energies, against Foundation's log.
final class VectorLogTests: XCTestCase {
    /// The versions this CPU runs: all three on an AVX-512 machine.
    private var levels: [Int32] { Array(0...earmark_log_f64_level()) }

    /// Within 4 ulp over 28 decades and every tail length, in place too, for every version this CPU
    /// runs; position does not matter.
    func testMatchesLogWithinFourUlp() {
        XCTAssertGreaterThanOrEqual(earmark_log_f64_level(), 1, "machines of this kind have AVX2 at least")
        for level in levels {
            var x: [Double] = []
            var value = 2.220446049250313e-16       // the MFCC's floor of a zero energy
            while value < 1e12 { x.append(value); value *= 1.0137 }
            for count in [0, 1, 3, 7, 8, 9, 15, 16, 17, 26, 27, x.count] {
                let input = Array(x.prefix(count))
                var y = [Double](repeating: .nan, count: count)
                earmark_log_f64_at(level, input, &y, count)
                var inPlace = input
                inPlace.withUnsafeMutableBufferPointer { earmark_log_f64_at(level, $0.baseAddress!, $0.baseAddress!, count) }
                for i in 0..<count {
                    let expected = log(input[i])
                    XCTAssertLessThanOrEqual(abs(y[i] - expected), 4 * expected.ulp, "level \(level): log(\(input[i])) in \(count)")
                    XCTAssertEqual(inPlace[i], y[i], "level \(level): in place, element \(i) of \(count)")
                }
            }
            // the same value gives the same result in a full vector and in the last partial one
            let same = [Double](repeating: 0.3, count: 11)
            var y = [Double](repeating: 0, count: 11)
            earmark_log_f64_at(level, same, &y, 11)
            XCTAssertEqual(Set(y).count, 1, "level \(level)")
        }
    }

    func testSpecialValues() {
        let x: [Double] = [0, -1, .infinity, .nan, 1, Double.leastNonzeroMagnitude, 1e308]
        for level in levels {
            var y = [Double](repeating: 0, count: x.count)
            earmark_log_f64_at(level, x, &y, x.count)
            XCTAssertEqual(y[0], -.infinity, "level \(level)")
            XCTAssertTrue(y[1].isNaN, "level \(level)")
            XCTAssertEqual(y[2], .infinity, "level \(level)")
            XCTAssertTrue(y[3].isNaN, "level \(level)")
            XCTAssertEqual(y[4], 0, "level \(level)")
            XCTAssertEqual(y[5], log(Double.leastNonzeroMagnitude), accuracy: 1e-12, "level \(level)")
            XCTAssertEqual(y[6], log(1e308), accuracy: 4 * log(1e308).ulp, "level \(level)")
        }
    }
}
