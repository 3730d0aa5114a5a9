@testable import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// The envelope-line map (`EnvelopeLines`, the `envelope_lines` descriptor set) against the numpy
/// formula of Tests/Fixtures/make_condition_fixtures.py, and what it shows.
final class EnvelopeLinesTests: XCTestCase {
    func testMapAgainstNumpy() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        XCTAssertEqual(EnvelopeLines.columnNames().count, 50 * 200)
        XCTAssertEqual(EnvelopeLines.columnNames().first, "envelope_line_1600_2")
        XCTAssertEqual(EnvelopeLines.columnNames().last, "envelope_line_7000_400")
        for clip in ["ticks", "odd"] {     // 16 kHz and 1.5 s; 22.05 kHz and 7001 samples (coarser bins)
            let y = try fixtureValues(file, "\(clip)/signal")
            let rate = try file.integers("\(clip)/rate").values[0]
            let map = EnvelopeLines.row(y, sampleRate: rate)
            let want = try file.tensor("\(clip)/envelope_lines")
            XCTAssertEqual(want.shape, [50, 200])
            XCTAssertEqual(map.count, 10_000)
            // prominences of about +-10 (DC bins: 0), float32 on both sides
            assertClose(map, want.data, tolerance: 1e-4, clip)
        }
    }

    /// The ticks (87 per second ringing a 3 kHz resonance) are the map's strongest value: the band around
    /// 3 kHz at 88 Hz. A clip too short for a frame is all zeros; at 8 kHz the bands above 3.77 kHz
    /// (their top above the Nyquist frequency) are zero rows.
    func testTicksStandOutAndMissingBandsAreZero() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        let map = EnvelopeLines.row(try fixtureValues(file, "ticks/signal"), sampleRate: 16000)
        let strongest = map.indices.max { map[$0] < map[$1] }!
        let (band, frequency) = (strongest / 200, EnvelopeLines.frequencies[strongest % 200])
        XCTAssertEqual(FaultLines.bandCentre(band), 3000, accuracy: 100)
        XCTAssertEqual(frequency, 88)
        XCTAssertEqual(EnvelopeLines.row([Float](repeating: 0.5, count: 1000), sampleRate: 16000),
                       [Float](repeating: 0, count: 10_000))
        var rng = RandomGenerator(seed: 5)
        let noise = (0..<16000).map { _ in rng.nextNormal() }
        let low = EnvelopeLines.row(noise, sampleRate: 8000)
        for j in 0..<50 {
            let zero = low[(j * 200)..<((j + 1) * 200)].allSatisfy { $0 == 0 }
            XCTAssertEqual(zero, FaultLines.bandCentre(j) * 1.06 > 4000, "band \(j)")
        }
    }
}
