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

    /// The envelope peak (the largest magnitude of the envelope spectrum between 5 and 1000 Hz over
    /// their median) equals, bit for bit, the formula written out: every bin's frequency tested, its
    /// magnitude computed one at a time, the list sorted. Odd and even bin counts; a shared FFT.
    func testEnvelopePeakIsTheLargestMagnitudeOverTheMedianInItsRange() {
        func written(_ e: [Double], mean: Double, window: [Double], sampleRate: Int, m: Int) -> Double {
            var z = (0..<m).map { i in (i < e.count ? (e[i] - mean) * window[i] : 0, 0.0) }
            let fft = ComplexFFT(size: m)
            for i in 0..<m { fft.buffer[i] = z[i] }
            fft.transform(forward: true)
            z = (0..<m).map { fft.buffer[$0] }
            var magnitudes: [Double] = []
            for k in 0...(m / 2) where Double(k) * Double(sampleRate) / Double(m) >= 5
                && Double(k) * Double(sampleRate) / Double(m) < 1000 {
                magnitudes.append((z[k].0 * z[k].0 + z[k].1 * z[k].1).squareRoot())
            }
            magnitudes.sort()
            let c = magnitudes.count
            let median = c % 2 == 1 ? magnitudes[c / 2] : (magnitudes[c / 2 - 1] + magnitudes[c / 2]) / 2
            return magnitudes[c - 1] / (median + 1e-30) + 1e-30
        }
        var rng = RandomGenerator(seed: 5)
        for (n, rate) in [(3000, 16000), (5000, 16000), (4410, 44100), (2500, 8000)] {
            var m = 1
            while m < n { m <<= 1 }
            let fft = ComplexFFT(size: m)
            let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1)) }
            for _ in 0..<3 {
                let e = (0..<n).map { i in 1 + 0.3 * sin(Double(i) * 0.05) + Double(rng.nextUniform()) }
                let mean = e.reduce(0, +) / Double(n)
                let got = ConditionDescriptors.envelopePeak(e, mean: mean, window: window, sampleRate: rate, fft: fft)
                let want = written(e, mean: mean, window: window, sampleRate: rate, m: m)
                XCTAssertEqual(got.bitPattern, want.bitPattern, "n \(n) at \(rate) Hz: \(got) vs \(want)")
            }
        }
    }

    /// |z| / d over a range of an FFT's bins, as the scalar formula rounds each value.
    func testMagnitudesAreTheScalarFormulaBitForBit() {
        var rng = RandomGenerator(seed: 9)
        let fft = ComplexFFT(size: 257)
        for i in 0..<257 { fft.buffer[i] = (Double(rng.nextNormal()) * 1e3, Double(rng.nextNormal()) * 1e-3) }
        for (range, d) in [(0..<257, 1.0), (3..<200, 256.0), (0..<257, 3.0), (10..<250, 0.1), (5..<5, 7.0)] {
            let got = fft.magnitudes(range, dividedBy: d)
            let want = range.map { k in
                (fft.buffer[k].0 * fft.buffer[k].0 + fft.buffer[k].1 * fft.buffer[k].1).squareRoot() / d
            }
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(range) / \(d)")
        }
    }

    /// One `FramePower` serving many signals of a length (the fault lines' band envelopes) gives each
    /// the mean periodogram written out: Hann frames of 1,024 every 512 samples, each minus its own mean
    /// or not, |FFT|^2 averaged over the frames, bit for bit.
    func testFramePowerSharedAcrossSignalsIsTheMeanPeriodogramOfEach() {
        func written(_ v: [Double], removeMean: Bool) -> [Double] {
            let w = 1024, fft = ComplexFFT(size: w)
            let window = (0..<w).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(w)) }
            var power = [Double](repeating: 0, count: w / 2 + 1), frames = 0.0
            for start in stride(from: 0, through: v.count - w, by: w / 2) {
                let frame = Array(v[start..<(start + w)])
                let mean = removeMean ? frame.reduce(0, +) / Double(w) : 0
                for i in 0..<w { fft.buffer[i] = ((frame[i] - mean) * window[i], 0) }
                fft.transform(forward: true)
                for k in power.indices { power[k] += fft.buffer[k].0 * fft.buffer[k].0 + fft.buffer[k].1 * fft.buffer[k].1 }
                frames += 1
            }
            return power.map { $0 / frames }
        }
        var rng = RandomGenerator(seed: 4)
        let shared = FramePower(count: 3000, cap: 1024)
        XCTAssertEqual(shared.width, 1024)
        for removeMean in [true, false] {
            for _ in 0..<3 {
                let v = (0..<3000).map { _ in Double(rng.nextNormal()) + 2 }
                XCTAssertEqual(shared.mean(v, removeFrameMean: removeMean).map(\.bitPattern),
                               written(v, removeMean: removeMean).map(\.bitPattern), "frame mean removed: \(removeMean)")
            }
        }
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
