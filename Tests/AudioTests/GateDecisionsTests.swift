@testable import Audio
import Foundation
import Tensor
import XCTest

/// The envelope gate's fast decisions (`GateDecisions`) against the serial Kahan pass they replace
/// (`EnvelopeGate.forEachMean`, pandas' order of additions; EnvelopeTests checks that one against
/// pandas itself).
final class GateDecisionsTests: XCTestCase {
    /// keep_i = m_i > threshold from the serial Kahan means.
    private func serialMask(_ y: [Float], window: Int, threshold: Double) -> [Bool] {
        var keep = [Bool](repeating: false, count: y.count)
        y.withUnsafeBufferPointer { p in
            EnvelopeGate.forEachMean(p, window: window) { i, mean in keep[i] = mean > threshold }
        }
        return keep
    }

    /// The fast decisions alone: the mask so far and the first undecided sample.
    private func fastMask(_ y: [Float], window: Int, threshold: Double) -> (mask: [Bool], undecided: Int) {
        var keep: [Bool] = []
        let undecided = y.withUnsafeBufferPointer { p in
            GateDecisions.forEach(p, window: window, threshold: threshold) { i, kept in
                precondition(i == keep.count)
                keep.append(kept)
            }
        }
        return (keep, undecided)
    }

    /// Bursts of noise up to `peak` full scale, of noise around the default threshold (mean |y|
    /// from half to twice it, capped at `peak`) and of silence, in random order and lengths.
    private func bursts(count n: Int, peak: Float, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        var y = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let length = 200 + Int(rng.nextUniform() * 4000) * n / 50_000
            let kind = rng.nextUniform()
            let nearThreshold = Float(2 * EnvelopeGate.defaultThreshold) * (0.5 + 1.5 * rng.nextUniform())
            let level = kind < 0.4 ? peak * rng.nextUniform() : kind < 0.7 ? min(peak, nearThreshold) : 0
            for j in i..<min(n, i + length) { y[j] = level * (2 * rng.nextUniform() - 1) }
            i += length
        }
        return y
    }

    func testDecidesEverySampleOfRealisticSignalsAsTheSerialPass() {
        var decided = 0
        for (rate, peak, seed) in [(16000, Float(1), UInt64(1)), (16000, 0.01, 2), (22050, 0.5, 3), (1000, 1, 4),
                                   (44100, 0.2, 5), (16000, 3000, 6), (8000, 2e-3, 7)] {
            let w = EnvelopeGate.windowLength(sampleRate: rate)
            let y = bursts(count: 3 * rate + 123, peak: peak, seed: seed)
            let expected = serialMask(y, window: w, threshold: EnvelopeGate.defaultThreshold)
            let fast = fastMask(y, window: w, threshold: EnvelopeGate.defaultThreshold)
            XCTAssertEqual(fast.undecided, y.count, "rate \(rate) peak \(peak): undecided sample")
            XCTAssertEqual(fast.mask, Array(expected.prefix(fast.mask.count)), "rate \(rate) peak \(peak)")
            XCTAssertEqual(EnvelopeGate.mask(y, sampleRate: rate), expected, "rate \(rate) peak \(peak)")
            XCTAssertTrue(expected.contains(true) && expected.contains(false), "rate \(rate): a gate that does something")
            decided += fast.undecided
        }
        XCTAssertGreaterThan(decided, 300_000)
    }

    func testWindowsShorterThanTheSignalAndTinySignals() {
        for n in [1, 2, 5, 17] {
            for w in [1, 2, 3, 4, 10, 40] {
                let y = (0..<n).map { Float(($0 * 7919) % 13) * 1e-4 }
                for threshold in [0.0005, 0.0002, 1e-9] {
                    XCTAssertEqual(EnvelopeGate.mask(y, sampleRate: 10 * w, threshold: threshold),
                                   serialMask(y, window: w, threshold: threshold), "n \(n) w \(w) threshold \(threshold)")
                }
            }
        }
    }

    func testAMeanOnTheThresholdIsLeftToTheSerialPass() {
        // |y| constant at exactly the threshold: every mean equals it, inside the undecided band
        let level = Float(0.0005), threshold = Double(Float(0.0005))
        let flat = [Float](repeating: level, count: 4000)
        XCTAssertEqual(fastMask(flat, window: 1600, threshold: threshold).undecided, 0)
        XCTAssertEqual(EnvelopeGate.mask(flat, sampleRate: 16000, threshold: threshold),
                       serialMask(flat, window: 1600, threshold: threshold))
        // loud, then the flat level: decided up to where the windows hold only the flat part
        let mixed = [Float](repeating: 0.3, count: 5000) + flat
        let fast = fastMask(mixed, window: 1600, threshold: threshold)
        XCTAssertGreaterThan(fast.undecided, 5000)
        XCTAssertLessThan(fast.undecided, mixed.count)
        XCTAssertEqual(EnvelopeGate.mask(mixed, sampleRate: 16000, threshold: threshold),
                       serialMask(mixed, window: 1600, threshold: threshold))
        XCTAssertEqual(EnvelopeGate.apply(mixed, sampleRate: 16000, threshold: threshold),
                       zip(mixed, serialMask(mixed, window: 1600, threshold: threshold)).filter(\.1).map(\.0))
    }

    func testWhatItCannotBoundGoesToTheSerialPass() {
        var y = bursts(count: 20000, peak: 1, seed: 9)
        y[12345] = .nan
        XCTAssertEqual(fastMask(y, window: 1600, threshold: 0.0005).undecided, 0)
        XCTAssertEqual(EnvelopeGate.mask(y, sampleRate: 16000), serialMask(y, window: 1600, threshold: 0.0005))
        y[12345] = .infinity
        XCTAssertEqual(fastMask(y, window: 1600, threshold: 0.0005).undecided, 0)
        XCTAssertEqual(EnvelopeGate.mask(y, sampleRate: 16000), serialMask(y, window: 1600, threshold: 0.0005))
        y[12345] = 0x1p41
        XCTAssertEqual(fastMask(y, window: 1600, threshold: 0.0005).undecided, 0)
        XCTAssertEqual(EnvelopeGate.mask(y, sampleRate: 16000), serialMask(y, window: 1600, threshold: 0.0005))
        for threshold in [0.0, -1.0, Double.nan] {
            XCTAssertEqual(fastMask(y, window: 1600, threshold: threshold).undecided, 0)
        }
    }

    func testQuietAndSilentSignals() {
        // far below the threshold: the bounds exceed any window sum and clamp; all dropped, decided
        let quiet = bursts(count: 10000, peak: 1e-6, seed: 11)
        let fast = fastMask(quiet, window: 1600, threshold: 0.0005)
        XCTAssertEqual(fast.undecided, quiet.count)
        XCTAssertFalse(fast.mask.contains(true))
        let silent = [Float](repeating: 0, count: 5000)
        XCTAssertEqual(fastMask(silent, window: 1600, threshold: 0.0005).undecided, silent.count)
        XCTAssertEqual(EnvelopeGate.apply(silent, sampleRate: 16000), [])
        // a threshold far below the signal: everything kept
        XCTAssertEqual(EnvelopeGate.mask(quiet, sampleRate: 16000, threshold: 1e-12),
                       serialMask(quiet, window: 1600, threshold: 1e-12))
    }
}
