import Audio
import Foundation
import TestSupport
import XCTest

/// Earmark's resampling against librosa 0.11's (`librosa.load(path, sr=16000)`, soxr 'soxr_hq'):
/// Tests/Fixtures/make_resample_fixtures.py wrote the 44.1 kHz clip and librosa's result.
final class ResamplerParityTests: XCTestCase {
    private let source = Fixtures.url("audio/resample_44k.wav")

    private func librosa() throws -> [Float] {
        let clip = try AudioDecoder.decode(contentsOf: Fixtures.url("audio/resample_44k_to_16k.wav"))
        XCTAssertEqual(clip.sampleRate, 16000)
        return clip.samples
    }

    func testResamplingMatchesLibrosaSoxrHQ() throws {
        let clip = try AudioDecoder.decode(contentsOf: source)
        XCTAssertEqual(clip.sampleRate, 44100)
        let expected = try librosa()
        let y = try Resampler.resample(clip.samples, from: 44100, to: 16000)
        XCTAssertEqual(y.count, 8000)   // ceil(22050 * 16000 / 44100), as librosa's fix_length
        assertClose(y, expected, tolerance: 1e-4, "Resampler vs librosa.load")
        report("resample 44100 -> 16000 vs librosa soxr_hq", maxDifference(y, expected))
    }

    func testCleaningMatchesLibrosaThenTheGate() throws {
        // Cleaning = decode, resample, gate: the gate of librosa's resampled clip, within 1e-4.
        let expected = EnvelopeGate.apply(try librosa(), sampleRate: 16000)
        let cleaned = try Cleaning.clean(contentsOf: source)
        XCTAssertLessThan(cleaned.count, 8000)   // the silent gap is dropped
        assertClose(cleaned, expected, tolerance: 1e-4, "Cleaning vs librosa.load + gate")
        report("clean 44100 vs librosa soxr_hq + gate", maxDifference(cleaned, expected))
    }
}
