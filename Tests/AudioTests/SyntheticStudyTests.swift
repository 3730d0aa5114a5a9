@testable import Audio
import Foundation
import XCTest

/// The `study` variant: the study's sample rate, length, labels and degradation ranges.
final class SyntheticStudyTests: XCTestCase {
    func testRateLengthLabelsAndPureHighTones() {
        let clips = SyntheticStudy.generate(clipsPerClass: 3, seed: 4)
        XCTAssertEqual(SyntheticStudy.defaultSampleRate, 22050)
        XCTAssertEqual(clips.count, 9)
        XCTAssertEqual(clips.map(\.label), ["high", "high", "high", "medium", "medium", "medium", "low", "low", "low"])
        XCTAssertEqual(clips[4].name, "medium_001.wav")
        for clip in clips {
            XCTAssertEqual(clip.samples.count, 22050, clip.name)
            XCTAssertTrue(clip.samples.allSatisfy { $0.isFinite && abs($0) <= 1 }, clip.name)
        }
        for clip in clips where clip.label == "high" {
            let f = clip.recipe.frequency
            for i in stride(from: 0, to: 22050, by: 997) {
                let tone = 0.5 * sin(2 * Double.pi * f * Double(i) / 22050)
                XCTAssertEqual(Double(clip.samples[i]), tone, accuracy: 1e-6)
            }
        }
        XCTAssertEqual(SyntheticStudy.generate(clipsPerClass: 3, seed: 4), clips)
        XCTAssertEqual(SyntheticStudy.csv(for: Array(clips.prefix(1))), "fname,label\nhigh_000.wav,high\n")
    }

    /// 300 recipes per label (no rendering): the study's ranges, all five degradations used.
    func testRecipeRanges() {
        var mediumNoise = 0, mediumClip = 0
        for (c, label) in SyntheticStudy.labels.enumerated() {
            for index in 0..<300 {
                var rng = SyntheticRandom(seed: 9, stream: UInt64(c) << 32 | UInt64(index))
                let r = SyntheticStudy.draw(label: label, using: &rng)
                XCTAssert((100...1000).contains(r.frequency), "\(r)")
                switch label {
                case "high":
                    XCTAssert(r.noise == nil && r.clipThreshold == nil && r.lowpassHz == nil && r.reverb == nil
                              && r.compression == nil, "\(r)")
                case "medium":
                    XCTAssert((r.noise == nil) != (r.clipThreshold == nil), "one of noise or clipping: \(r)")
                    if let n = r.noise { XCTAssert((0.03...0.08).contains(n)); mediumNoise += 1 }
                    if let t = r.clipThreshold { XCTAssert((0.5...0.8).contains(t)); mediumClip += 1 }
                    XCTAssert(r.lowpassHz == nil && r.reverb == nil && r.compression == nil, "\(r)")
                default:
                    XCTAssert((0.1...0.3).contains(r.noise ?? -1) && (1000...3000).contains(r.lowpassHz ?? -1), "\(r)")
                    XCTAssert(r.reverb != nil && r.compression != nil && r.clipThreshold == nil, "\(r)")
                }
            }
        }
        XCTAssert(mediumNoise > 110 && mediumClip > 110, "noise \(mediumNoise), clipping \(mediumClip) of 300")
    }

    func testClippingAndNoiseAreWhatTheRecipeSays() {
        var clip = StudyRecipe(frequency: 440, noise: nil, clipThreshold: 0.6, lowpassHz: nil, reverb: nil,
                               compression: nil)
        var rng = SyntheticRandom(seed: 1)
        let clipped = SyntheticStudy.render(clip, count: 22050, sampleRate: 22050, using: &rng)
        XCTAssertEqual(Double(clipped.map { abs($0) }.max()!), 0.3, accuracy: 1e-6)   // 0.6 of the peak 0.5
        clip.clipThreshold = nil
        clip.noise = 0.05
        let noisy = SyntheticStudy.render(clip, count: 22050, sampleRate: 22050, using: &rng)
        let residual = (0..<22050).map { Double(noisy[$0]) - 0.5 * sin(2 * Double.pi * 440 * Double($0) / 22050) }
        XCTAssertEqual(SyntheticSignal.rms(residual), 0.05, accuracy: 0.002)
    }
}
