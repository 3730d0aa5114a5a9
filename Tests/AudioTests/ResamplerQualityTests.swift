import Audio
import Foundation
import XCTest

/// Passband ripple (0-7 kHz) and stopband rejection (8-22 kHz) of 44.1 kHz -> 16 kHz, measured
/// as `ResamplerQuality` describes, on a sine sweep and on white noise, for every recipe.
///
/// The bar is libsamplerate's `SRC_SINC_BEST_QUALITY` (0.2.2, float32 I/O, one `src_simple` call),
/// which Earmark used before libsoxr, measured by this same code:
///
/// | figure (44.1 -> 16 kHz) | sweep | noise |
/// |---|---:|---:|
/// | passband ripple 0-7 kHz, dB | 2.11e-6 | 2.97e-6 |
/// | stopband rejection > 8 kHz, dB | 147.5 | 152.9 |
///
/// `best` beats it on all four; `veryHigh` on rejection; `high` (librosa's default, the recipe
/// cleaning uses for parity with the reference) on neither, but meets libsoxr's own specification
/// for it: at most 0.01 dB of roll-off inside the passband (6.4e-3 dB at 7 kHz, 4.7e-5 dB up to
/// 4 kHz) and 20-bit rejection (> 120 dB; measured 133 and 141 dB).
final class ResamplerQualityTests: XCTestCase {
    /// libsamplerate SRC_SINC_BEST_QUALITY (table above).
    private static let srcBest = (sweepRipple: 2.11e-6, noiseRipple: 2.97e-6,
                                  sweepRejection: 147.5, noiseRejection: 152.9)

    private struct Figures {
        var sweepRipple, noiseRipple, sweepRejection, noiseRejection: Double
    }

    /// The four figures of one recipe, printed in a greppable form (BENCHMARKS.md quotes them).
    private func figures(_ recipe: Resampler.Quality) throws -> Figures {
        let quality = ResamplerQuality(from: 44100, to: 16000) { x, from, to in
            try Resampler.resample(x, from: from, to: to, quality: recipe)
        }
        let f = Figures(sweepRipple: try quality.sweepRipple(100, 7000), noiseRipple: try quality.noiseRipple(1...700),
                        sweepRejection: try quality.sweepRejection(8000, 22000),
                        noiseRejection: try quality.noiseRejection(801...2200))
        print(String(format: "RESAMPLER-QUALITY %@ 44100->16000: passband ripple 0-7 kHz sweep %.2e dB, noise %.2e dB; "
                     + "stopband rejection > 8 kHz sweep %.1f dB, noise %.1f dB",
                     "\(recipe)", f.sweepRipple, f.noiseRipple, f.sweepRejection, f.noiseRejection))
        return f
    }

    func testBestBeatsLibsamplerateBestSincOnEveryFigure() throws {
        let f = try figures(.best), bar = Self.srcBest
        XCTAssertLessThanOrEqual(f.sweepRipple, bar.sweepRipple)
        XCTAssertLessThanOrEqual(f.noiseRipple, bar.noiseRipple)
        XCTAssertGreaterThanOrEqual(f.sweepRejection, bar.sweepRejection)
        XCTAssertGreaterThanOrEqual(f.noiseRejection, bar.noiseRejection)
    }

    func testVeryHighRejectsLikeBestSincWithTheSoxrRollOff() throws {
        let f = try figures(.veryHigh), bar = Self.srcBest
        XCTAssertGreaterThanOrEqual(f.sweepRejection, bar.sweepRejection)
        XCTAssertGreaterThanOrEqual(f.noiseRejection, bar.noiseRejection)
        XCTAssertLessThanOrEqual(max(f.sweepRipple, f.noiseRipple), 0.01)
    }

    func testHighMeetsTheSoxrSpecification() throws {
        let f = try figures(.high)
        XCTAssertLessThanOrEqual(max(f.sweepRipple, f.noiseRipple), 0.01)       // SOXR_ROLLOFF_SMALL
        XCTAssertGreaterThanOrEqual(min(f.sweepRejection, f.noiseRejection), 120) // 20 bits
    }
}
