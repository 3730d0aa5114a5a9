@testable import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// Machine-condition descriptors against the numpy formula of Tests/Fixtures/make_condition_fixtures.py.
final class ConditionDescriptorTests: XCTestCase {
    func testRowsAgainstNumpy() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        let names = ConditionDescriptors.columnNames()
        XCTAssertEqual(names.count, 30)
        XCTAssertEqual(file.metadata["columns"], "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        for clip in ["ticks", "hum", "odd"] {
            let y = try fixtureValues(file, "\(clip)/signal")
            let rate = try file.integers("\(clip)/rate").values[0]
            let row = ConditionDescriptors.row(y, sampleRate: rate)
            let want = try fixtureValues(file, "\(clip)/row")
            XCTAssertEqual(row.count, 30)
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

    /// The comb finds a 37 Hz shaft; half orders (a loose mounting) change the shaft-order levels.
    func testShaftOrdersFindTheShaftAndItsHalfOrders() {
        let rate = 16000
        func machine(halfOrders: Double) -> [Double] {
            var noise = UniformNoise()
            return (0..<(2 * rate)).map { i in
                let t = Double(i) / Double(rate)
                var v = 0.0
                for k in 1...12 { v += sin(2 * Double.pi * 37 * Double(k) * t + Double(k)) / Double(k) }
                for k in stride(from: 1, through: 19, by: 2) {
                    v += halfOrders * sin(2 * Double.pi * 18.5 * Double(k) * t) / Double(k)
                }
                return v + 0.01 * noise.next()
            }
        }
        let steady = ShaftOrders.values(machine(halfOrders: 0), rate: rate)
        let loose = ShaftOrders.values(machine(halfOrders: 0.1), rate: rate)
        XCTAssertGreaterThan(steady[0], 5, "harmonics stand out of the quarter orders")
        XCTAssertLessThan(steady[2], -5, "no half orders")
        // strong half orders move the comb to 18.5 Hz, half of whose lines are the weaker half orders
        XCTAssertLessThan(loose[0], steady[0] - 1, "harmonics level")
        XCTAssertGreaterThan(loose[2], steady[2] + 1, "half orders over harmonics")
    }

    func testConstantAndShortClipsGiveFiniteValues() {
        for signal in [[Float](repeating: 0.25, count: 1000), [0.5, -0.5]] {
            let row = ConditionDescriptors.row(signal, sampleRate: 16000)
            XCTAssertEqual(row.count, 30)
            XCTAssertTrue(row.allSatisfy(\.isFinite), "\(row)")
        }
    }
}

/// Uniform noise in [-1, 1) from a 64-bit LCG (Knuth's MMIX constants): deterministic test noise.
struct UniformNoise {
    var state: UInt64 = 42
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 52) - 1
    }
}
