import Pipeline
import XCTest

/// `CleanFingerprint`: what tells a file's audio from another's under the same name. Model files
/// store these values, so the function must not change between versions (the pinned values below).
final class CleanFingerprintTests: XCTestCase {
    /// A tone of n samples; the same arguments give the same samples.
    func tone(_ n: Int, hz: Float = 440) -> [Float] {
        (0..<n).map { sinf(2 * .pi * hz * Float($0) / 16000) * 0.5 }
    }

    func testTheValuesOfModelFilesStayTheSame() {
        XCTAssertEqual(CleanFingerprint.of([]), "0:8e9215e48614ef97")
        XCTAssertEqual(CleanFingerprint.of([1, 2, 3]), "3:2ba28c6292933be4")
        // exact values (no libm): a sawtooth of 16001 samples in steps of 1/256
        XCTAssertEqual(CleanFingerprint.of((0..<16001).map { Float($0 % 251) / 256 - 0.5 }), "16001:be26a7bfe102e11e")
    }

    /// Any one sample changed in its last bit, in the four lanes, the pair tail and the odd last
    /// sample, gives another fingerprint; so do another length, a sign of zero and two samples swapped.
    func testAnyChangeGivesAnotherFingerprint() {
        for n in [1, 2, 7, 8, 9, 1601] {
            let samples = tone(n)
            let reference = CleanFingerprint.of(samples)
            XCTAssertEqual(CleanFingerprint.of(samples), reference)
            XCTAssertTrue(reference.hasPrefix("\(n):") && reference.count == "\(n):".count + 16, reference)
            var seen: Set<String> = [reference]
            for i in 0..<n {
                var changed = samples
                changed[i] = Float(bitPattern: changed[i].bitPattern ^ 1)
                seen.insert(CleanFingerprint.of(changed))
            }
            XCTAssertEqual(seen.count, n + 1, "n = \(n): every one-bit change is told apart")
            XCTAssertNotEqual(CleanFingerprint.of(samples + [0]), reference)
        }
        XCTAssertNotEqual(CleanFingerprint.of([0, 0]), CleanFingerprint.of([-0.0, 0]))
        XCTAssertNotEqual(CleanFingerprint.of([1, 2, 3, 4, 5, 6, 7, 8]), CleanFingerprint.of([2, 1, 3, 4, 5, 6, 7, 8]))
        XCTAssertNotEqual(CleanFingerprint.of(tone(16000)), CleanFingerprint.of(tone(16000, hz: 441)))
    }

    /// A model file's fingerprints must name the files of its splits, each in the form `of` writes.
    func testAModelFilesFingerprintsMustCoverItsSplitsInTheirForm() {
        let splits = ["a.wav": "train", "b.wav": "test"]
        let good = ["a.wav": CleanFingerprint.of([1, 2]), "b.wav": CleanFingerprint.of([3])]
        XCTAssertNil(CleanFingerprint.problem(good, splits: splits))
        XCTAssertNotNil(CleanFingerprint.problem(["a.wav": good["a.wav"]!], splits: splits), "incomplete")
        for bad in ["x", "2:123", "2:0123456789ABCDEF", "-1:0123456789abcdef", ":0123456789abcdef"] {
            XCTAssertNotNil(CleanFingerprint.problem(["a.wav": bad, "b.wav": good["b.wav"]!], splits: splits), bad)
        }
    }
}
