import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// The envelope gate against pandas rolling(window=int(rate/10), min_periods=1, center=True).mean().
final class EnvelopeTests: XCTestCase {
    func testMatchesPandasForEvenAndOddWindows() throws {
        let file = try Fixtures.load("audio/envelope.safetensors")
        for rate in [1000, 1050, 16000] {
            let y = try fixtureValues(file, "rate\(rate)/signal")
            let w = EnvelopeGate.windowLength(sampleRate: rate)
            XCTAssertEqual(w, rate / 10)
            if file.tensors["rate\(rate)/mean"] != nil {
                let expected = try fixtureDoubles(file, "rate\(rate)/mean")   // float64 from pandas
                let means = EnvelopeGate.rollingMeanAbs(y, window: w)
                XCTAssertEqual(means.count, expected.count)
                let worst = largestDifference(means, expected)
                XCTAssertLessThan(worst, 1e-15, "rate \(rate) rolling mean vs pandas")
                print(String(format: "AUDIO-DIFF envelope rolling mean rate %d (Double): max |diff| %.3g", rate, worst))
            }
            let runs = try file.integers("rate\(rate)/runs").values
            var expectedMask = [Bool](repeating: false, count: y.count)
            for r in stride(from: 0, to: runs.count, by: 2) {
                for i in runs[r]..<runs[r + 1] { expectedMask[i] = true }
            }
            let mask = EnvelopeGate.mask(y, sampleRate: rate)
            XCTAssertEqual(mask, expectedMask, "rate \(rate) mask")
            let kept = EnvelopeGate.apply(y, sampleRate: rate)
            XCTAssertEqual(kept, zip(y, expectedMask).filter { $0.1 }.map { $0.0 }, "rate \(rate) kept samples")
            XCTAssertTrue(kept.count > 0 && kept.count < y.count)
        }
    }

    func testWindowAlignmentAndEdges() {
        // w = 4: an impulse at 6 reaches outputs 5...8 ([i - 2, i + 1]); edges divide by the samples in range.
        var x = [Float](repeating: 0, count: 12)
        x[6] = 1
        let m = EnvelopeGate.rollingMeanAbs(x, window: 4)
        XCTAssertEqual(m.indices.filter { m[$0] != 0 }, [5, 6, 7, 8])
        x = [Float](repeating: 0, count: 12)
        x[0] = -1
        let e = EnvelopeGate.rollingMeanAbs(x, window: 4)
        XCTAssertEqual(e[0], 0.5)
        XCTAssertEqual(e[1], 1.0 / 3)
        // w = 5: [i - 2, i + 2]
        x = [Float](repeating: 0, count: 12)
        x[6] = 1
        let o = EnvelopeGate.rollingMeanAbs(x, window: 5)
        XCTAssertEqual(o.indices.filter { o[$0] != 0 }, [4, 5, 6, 7, 8])
    }

    func testThresholdIsStrictAndSilenceIsDropped() {
        // A constant |y| of exactly the threshold (as a Float) is above 0.0005 in Double only if the Float is.
        let level = Float(0.0005)
        let expectKept = Double(level) > 0.0005
        XCTAssertEqual(EnvelopeGate.apply([Float](repeating: level, count: 100), sampleRate: 100).count,
                       expectKept ? 100 : 0)
        XCTAssertEqual(EnvelopeGate.mask([Float](repeating: 0.0005, count: 10), sampleRate: 100, threshold: 0.0006),
                       [Bool](repeating: false, count: 10))
        XCTAssertEqual(EnvelopeGate.apply([Float](repeating: 0, count: 1000), sampleRate: 16000), [])
        XCTAssertEqual(EnvelopeGate.apply([], sampleRate: 16000), [])
    }
}
