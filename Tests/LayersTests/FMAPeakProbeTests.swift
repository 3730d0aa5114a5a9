import CSupport
import XCTest

/// CSupport's FMA peak probe (`earmark_fma_peak`, which `bench`'s ceiling rows divide by) really runs
/// every chain for every round: its result is the closed form of 12 chains of a <- a * b + c, and it
/// reports the FLOPs it did: 12 chains as wide as the version's vector registers (16 floats on AVX-512,
/// 8 otherwise). (Its speed is `bench`'s business, not a test's.)
final class FMAPeakProbeTests: XCTestCase {
    func testEveryChainRunsEveryRound() {
        // chain i starts at 2 + i; a_n = p + (a_0 - p) b^n with p = c / (1 - b), for the floats b and c
        let b = Double(Float(0.999999)), c = Double(Float(1e-6)), p = c / (1 - b)
        let width = Int(earmark_cpu_variant_chosen()) == EARMARK_VARIANT_AVX512 ? 16 : 8
        for rounds in [1, 7, 1000, 20000] {
            var sink: Float = 0
            XCTAssertEqual(earmark_fma_peak(rounds, &sink), rounds * 12 * width * 2, "rounds \(rounds)")
            let expected = (0..<12).reduce(0.0) {
                $0 + Double(width) * (p + (2 + Double($1) - p) * pow(b, Double(rounds)))
            }
            // float rounding over the rounds; a missing chain would be off by >= 8 * p = ~8
            XCTAssertEqual(Double(sink), expected, accuracy: 1e-3 * expected, "rounds \(rounds)")
        }
        var sink: Float = -1
        XCTAssertEqual(earmark_fma_peak(0, &sink), 0)
        XCTAssertEqual(Double(sink), Double(width) * (0..<12).reduce(0.0) { $0 + 2 + Double($1) }, accuracy: 1e-3)
    }
}
