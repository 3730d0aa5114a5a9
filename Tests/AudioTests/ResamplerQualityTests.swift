import Audio
import Foundation
import XCTest

/// Passband ripple (0-7 kHz) and stopband rejection (8-22 kHz) of 44.1 kHz -> 16 kHz, measured
/// as `ResamplerQuality` describes, on a sine sweep and on white noise.
final class ResamplerQualityTests: XCTestCase {
    private let quality = ResamplerQuality(from: 44100, to: 16000) { x, from, to in
        try Resampler.resample(x, from: from, to: to)
    }

    /// The four figures, printed in a greppable form (BENCHMARKS.md quotes them).
    private func figures() throws -> (sweepRipple: Double, noiseRipple: Double,
                                      sweepRejection: Double, noiseRejection: Double) {
        let f = (sweepRipple: try quality.sweepRipple(100, 7000), noiseRipple: try quality.noiseRipple(1...700),
                 sweepRejection: try quality.sweepRejection(8000, 22000),
                 noiseRejection: try quality.noiseRejection(801...2200))
        print(String(format: "RESAMPLER-QUALITY 44100->16000: passband ripple 0-7 kHz sweep %.2e dB, noise %.2e dB; "
                     + "stopband rejection > 8 kHz sweep %.1f dB, noise %.1f dB",
                     f.sweepRipple, f.noiseRipple, f.sweepRejection, f.noiseRejection))
        return f
    }

    func testPassbandRippleAndStopbandRejection() throws {
        _ = try figures()
    }
}
