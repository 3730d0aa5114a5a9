import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// Spectral descriptors against librosa 0.11 and the MFCC mean against python_speech_features.
final class DescriptorTests: XCTestCase {
    func testAgainstLibrosaWithin1e3Relative() throws {
        let file = try Fixtures.load("audio/descriptors.safetensors")
        for name in ["clean", "degraded", "short16k"] {
            let y = try fixtureValues(file, "\(name)/signal")
            let rate = try file.integers("\(name)/rate").values[0]
            let frames = SpectralDescriptors.frames(y, sampleRate: rate)
            let perFrame: [(String, [Double])] = [("zcr", frames.zeroCrossingRate), ("rms", frames.rms),
                                                  ("centroid", frames.centroid), ("bandwidth", frames.bandwidth),
                                                  ("rolloff", frames.rolloff), ("flatness", frames.flatness)]
            for (key, values) in perFrame {
                let expected = try fixtureValues(file, "\(name)/\(key)")
                XCTAssertEqual(values.count, expected.count, "\(name) \(key) frames")
                guard values.count == expected.count else { continue }
                let relative = zip(values, expected).map { abs($0 - Double($1)) / max(abs(Double($1)), 1e-12) }
                // Every frame within 1e-3 relative, the bound of the librosa means below (and none NaN).
                XCTAssertNil(relative.firstIndex { $0.isNaN }, "\(name) \(key): a NaN frame")
                let worst = relative.indices.max { relative[$0] < relative[$1] }!
                XCTAssertLessThanOrEqual(relative[worst], 1e-3,
                                         "\(name) \(key) frame \(worst): \(values[worst]) vs \(expected[worst])")
                print(String(format: "AUDIO-DIFF descriptors %@ %@ per frame: max relative %.3g", name, key,
                             relative.max()!))
            }
            let d = ClipDescriptors(y, sampleRate: rate)
            let expected = try fixtureValues(file, "\(name)/mean")
            XCTAssertEqual(d.vector.count, 19)
            XCTAssertEqual(ClipDescriptors.names().count, 19)
            let relative = zip(d.vector, expected).map { Double(abs($0 - $1)) / max(Double(abs($1)), 1e-6) }
            for (i, r) in relative.enumerated() {
                // MFCC means near zero: absolute 1e-3 as for the frame values; the rest 1e-3 relative.
                let ok = i < 13 ? abs(d.vector[i] - expected[i]) <= 1e-3 * max(1, abs(expected[i])) : r <= 1e-3
                XCTAssertTrue(ok, "\(name) \(ClipDescriptors.names()[i]): \(d.vector[i]) vs \(expected[i])")
            }
            let mfccDiff = maxDifference(Array(d.vector[0..<13]), Array(expected[0..<13]))
            report("descriptors \(name) mfcc means", mfccDiff)
            let worst = relative[13...].indices.max { relative[$0] < relative[$1] }!
            print(String(format: "AUDIO-DIFF descriptors %@ librosa means: max relative %.3g (%@)", name,
                         relative[13...].max()!, ClipDescriptors.names()[13 + worst - 13]))
        }
    }

    func testSilenceAndEdgeCases() {
        let d = SpectralDescriptors.frames([Float](repeating: 0, count: 3000), sampleRate: 22050)
        XCTAssertEqual(d.count, 1 + 3000 / 512)
        XCTAssertTrue(d.centroid.allSatisfy { $0 == 0 })
        XCTAssertTrue(d.rolloff.allSatisfy { $0 == 0 })
        XCTAssertTrue(d.flatness.allSatisfy { abs($0 - 1) < 1e-12 })
        XCTAssertTrue(d.zeroCrossingRate.allSatisfy { $0 == 0 })
        // Alternating signs: 2047 crossings in every fully interior frame.
        let alternating = (0..<8192).map { Float($0 % 2 == 0 ? 0.5 : -0.5) }
        let a = SpectralDescriptors.frames(alternating, sampleRate: 16000)
        XCTAssertEqual(a.zeroCrossingRate[4], 2047.0 / 2048)
        XCTAssertEqual(a.rms[4], 0.5, accuracy: 1e-12)
        // A single sample still gives one frame.
        XCTAssertEqual(SpectralDescriptors.frames([0.5], sampleRate: 16000).count, 1)
    }
}
