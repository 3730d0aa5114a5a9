import Audio
import Foundation
import TestSupport
import XCTest

final class ResamplerTests: XCTestCase {
    func testEqualRatesAreIdentity() throws {
        let x = testSignal(1234, rate: 16000)
        XCTAssertEqual(try Resampler.resample(x, from: 16000, to: 16000), x)
    }

    func testSineSurvivesDownAndUpsampling() throws {
        // A 440 Hz sine at 44.1 kHz -> 16 kHz (and 8 kHz -> 16 kHz) equals the sine sampled at 16 kHz,
        // away from the edges (sinc filter start-up), within 1e-3.
        for from in [44100, 8000, 22050, 48000] {
            let seconds = 0.25
            let n = Int(seconds * Double(from))
            let x = (0..<n).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / Double(from))) }
            let y = try Resampler.resample(x, from: from, to: 16000)
            XCTAssertEqual(Double(y.count), seconds * 16000, accuracy: 1, "length from \(from)")
            let expected = (0..<y.count).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
            let middle = 400..<(y.count - 400)
            assertClose(Array(y[middle]), Array(expected[middle]), tolerance: 1e-3, "\(from) -> 16000")
            report("resample \(from) -> 16000 sine (middle)", maxDifference(Array(y[middle]), Array(expected[middle])))
        }
    }

    func testBadRatesThrow() {
        XCTAssertThrowsError(try Resampler.resample([1, 2], from: 0, to: 16000))
        XCTAssertThrowsError(try Resampler.resample([1, 2], from: 10, to: 16000, name: "x.wav")) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.wav: cannot resample"), "\(error)")
        }
        XCTAssertEqual(try Resampler.resample([], from: 8000, to: 16000), [])
    }

    func testCleanComposesDecodeResampleAndGate() throws {
        let folder = try makeTemporaryFolder("earmark-clean")
        defer { try? FileManager.default.removeItem(at: folder) }
        // 1 s at 32 kHz stereo: 0.4 s of tone, 0.3 s digital silence, 0.3 s tone.
        let rate = 32000
        var mono = testSignal(rate, rate: rate, frequency: 300)
        for i in Int(0.4 * Double(rate))..<Int(0.7 * Double(rate)) { mono[i] = 0 }
        let url = folder.appendingPathComponent("gap.wav")
        try WavWriter.write(interleaved: mono.flatMap { [$0, $0] }, channels: 2, sampleRate: rate, format: .wavFloat32,
                            to: url)
        let cleaned = try Cleaning.clean(contentsOf: url)
        let resampled = try Resampler.resample(mono, from: rate, to: 16000)
        XCTAssertEqual(cleaned, EnvelopeGate.apply(resampled, sampleRate: 16000))
        // The silent middle is 4800 samples at 16 kHz; the gate keeps w/2 = 800 samples on each side of it.
        XCTAssertEqual(Double(cleaned.count), Double(16000 - 4800 + 2 * 800), accuracy: 50)
    }
}
