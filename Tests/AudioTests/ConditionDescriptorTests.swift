import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// Machine-condition descriptors against the numpy formula of Tests/Fixtures/make_condition_fixtures.py.
final class ConditionDescriptorTests: XCTestCase {
    func testRowsAgainstNumpy() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        let names = ConditionDescriptors.columnNames()
        XCTAssertEqual(names.count, 25)
        XCTAssertEqual(file.metadata["columns"], "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        for clip in ["ticks", "hum", "odd"] {
            let y = try fixtureValues(file, "\(clip)/signal")
            let rate = try file.integers("\(clip)/rate").values[0]
            let row = ConditionDescriptors.row(y, sampleRate: rate)
            let want = try fixtureValues(file, "\(clip)/row")
            XCTAssertEqual(row.count, 25)
            for (i, column) in names.enumerated() {
                // the row is float32; the formula runs in float64 on both sides
                let scale = max(1, Double(abs(want[i])))
                XCTAssertLessThanOrEqual(Double(abs(row[i] - want[i])) / scale, 1e-5,
                                         "\(clip) \(column): \(row[i]) vs \(want[i])")
            }
        }
    }

    /// A tick train ringing a resonance raises the kurtosis and the envelope-spectrum peak of the
    /// band it rings, against the same machine without it.
    func testTicksRaiseImpulsivenessInTheirBand() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        let ticks = ConditionDescriptors.row(try fixtureValues(file, "ticks/signal"), sampleRate: 16000)
        let hum = ConditionDescriptors.row(try fixtureValues(file, "hum/signal"), sampleRate: 16000)
        let band = 3 * 5   // 3000-6000 Hz
        XCTAssertGreaterThan(ticks[band + 4], hum[band + 4] + 1, "envelope peak")
        XCTAssertGreaterThan(ticks[band + 1], hum[band + 1], "crest factor")
    }

    func testConstantAndShortClipsGiveFiniteValues() {
        for signal in [[Float](repeating: 0.25, count: 1000), [0.5, -0.5]] {
            let row = ConditionDescriptors.row(signal, sampleRate: 16000)
            XCTAssertEqual(row.count, 25)
            XCTAssertTrue(row.allSatisfy(\.isFinite), "\(row)")
        }
    }
}
