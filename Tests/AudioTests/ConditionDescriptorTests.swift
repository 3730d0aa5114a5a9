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
        XCTAssertEqual(names.count, 24)
        XCTAssertEqual(file.metadata["columns"], "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        for clip in ["ticks", "hum", "odd"] {
            let y = try fixtureValues(file, "\(clip)/signal")
            let rate = try file.integers("\(clip)/rate").values[0]
            let row = ConditionDescriptors.row(y, sampleRate: rate)
            let want = try fixtureValues(file, "\(clip)/row")
            XCTAssertEqual(row.count, 24)
            for (i, column) in names.enumerated() {
                // the row is float32; the formula runs in float64 on both sides
                let scale = max(1, Double(abs(want[i])))
                XCTAssertLessThanOrEqual(Double(abs(row[i] - want[i])) / scale, 1e-5,
                                         "\(clip) \(column): \(row[i]) vs \(want[i])")
            }
        }
    }

    /// The sliding-window median equals the median of each window sorted on its own (scipy's
    /// median_filter, mode "nearest"), bit for bit: ties, zeros (log of 1e-30), edges, windows longer
    /// than the signal, and a NaN (sorted above every number).
    func testProminenceIsLogPowerMinusTheRunningMedianOfEachWindow() {
        func naive(_ power: [Double], width: Int) -> [Double] {
            let level = power.map { log($0 + 1e-30) }, half = width / 2, last = level.count - 1
            return level.indices.map { i in
                let window = (0..<width).map { level[min(max(i - half + $0, 0), last)] }
                    .sorted { $0 < $1 || ($1.isNaN && !$0.isNaN) }
                return level[i] - window[half]
            }
        }
        var rng = RandomGenerator(seed: 3)
        for n in [1, 2, 5, 40, 700] {
            // values on a coarse grid (ties), some zeros
            let power = (0..<n).map { _ in rng.nextUniform() < 0.1 ? 0 : Double(Int(rng.nextUniform() * 12)) / 4 }
            for width in [1, 3, 31, 41] {
                let got = FaultLines.prominence(power, width: width), want = naive(power, width: width)
                XCTAssertEqual(got.count, n)
                XCTAssertTrue(zip(got, want).allSatisfy { $0.bitPattern == $1.bitPattern }, "n \(n), width \(width)")
            }
        }
        var withNaN = (0..<60).map { Double($0 % 7) + 1 }
        withNaN[20] = .nan
        let got = FaultLines.prominence(withNaN, width: 5), want = naive(withNaN, width: 5)
        XCTAssertTrue(zip(got, want).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        XCTAssertTrue(got[0].isFinite && got[59].isFinite)
    }

    /// A tick train ringing a resonance raises the envelope kurtosis and the envelope-spectrum peak of the
    /// band it rings, against the same machine without it.
    func testTicksRaiseImpulsivenessInTheirBand() throws {
        let file = try Fixtures.load("audio/condition.safetensors")
        let ticks = ConditionDescriptors.row(try fixtureValues(file, "ticks/signal"), sampleRate: 16000)
        let hum = ConditionDescriptors.row(try fixtureValues(file, "hum/signal"), sampleRate: 16000)
        let band = 3 * 3   // 3000-6000 Hz
        XCTAssertGreaterThan(ticks[band + 2], hum[band + 2] + 1, "envelope peak")
        XCTAssertGreaterThan(ticks[band + 1], hum[band + 1], "envelope kurtosis")
        // 87 ticks/s: a line in the envelope of the bands around the 3 kHz resonance
        let lines = ConditionDescriptors.columnNames().firstIndex(of: "condition_bearing_lines")!
        XCTAssertGreaterThan(ticks[lines], hum[lines] + 2, "bearing lines")
        XCTAssertLessThan(hum[lines], 2, "no line in the machine without ticks")
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
        // the comb at 18.5 Hz: its odd multiples are the half orders, 20 dB under the harmonics
        let steadyLines = FaultLines.halfOrders(machine(halfOrders: 0), rate: rate, shaft: 37)
        let looseLines = FaultLines.halfOrders(machine(halfOrders: 0.1), rate: rate, shaft: 18.5)
        XCTAssertEqual(ShaftOrders.estimate(machine(halfOrders: 0.1), rate: rate).shaftHz, 18.5, accuracy: 0.1)
        XCTAssertLessThan(steadyLines[0], 1, "no half-order peaks")
        XCTAssertLessThan(looseLines[1], steadyLines[1] - 2, "odd multiples under the even ones")
        XCTAssertGreaterThan(FaultLines.halfOrders(machine(halfOrders: 0.1), rate: rate, shaft: 37)[0], 3,
                             "half-order peaks at the true shaft rate")
    }

    func testConstantAndShortClipsGiveFiniteValues() {
        for signal in [[Float](repeating: 0.25, count: 1000), [0.5, -0.5]] {
            let row = ConditionDescriptors.row(signal, sampleRate: 16000)
            XCTAssertEqual(row.count, 24)
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
