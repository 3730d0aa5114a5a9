import Audio
import Foundation
import Pipeline
import Tensor
import XCTest

/// `input: clip`: whole-clip features padded to one crop, random crops per (seed, epoch, clip),
/// sliding crops for prediction, all on frame boundaries of the whole clip's features.
final class ClipFeaturesTests: XCTestCase {
    func config(clipSeconds: Double = 1, hop: Double? = nil) throws -> ExperimentConfig {
        var c = ExperimentConfig(name: "clip")
        c.features.kind = .logmel
        c.features.logMel.nMels = 16
        c.features.logMel.nFFT = 512
        c.features.logMel.hopLength = 256
        c.features.input = .clip
        c.features.clipSeconds = clipSeconds
        c.features.hopSeconds = hop
        return c
    }

    func tone(_ n: Int, _ frequency: Double) -> [Float] {
        (0..<n).map { Float(0.3 * sin(2 * .pi * frequency * Double($0) / 16000)) }
    }

    func testShortClipsArePaddedWithZerosAndCropsAreFrameRuns() throws {
        let c = try config()
        let f = c.features
        XCTAssertEqual(c.inputShape, [63, 16, 1])       // 1 + 16000 / 256
        let clips = [tone(9000, 440), tone(40000, 880)]
        let whole = ClipFeatures.compute(clips, labels: [0, 1], files: [4, 7], features: f)
        XCTAssertEqual(whole.frames(of: 0), 63, "padded to one crop")
        XCTAssertEqual(whole.frames(of: 1), 1 + 40000 / 256)
        let padded = clips[0] + [Float](repeating: 0, count: 16000 - 9000)
        XCTAssertEqual(Array(whole.x.data[0..<(63 * 16)]), logMel(padded, f.logMelParameters).values)

        let set = whole.crops([(1, 5), (0, 0)], shape: c.inputShape)
        XCTAssertEqual(set.x.shape, [2, 63, 16, 1])
        XCTAssertEqual(set.labels, [1, 0])
        XCTAssertEqual(set.files, [7, 4])
        let second = logMel(clips[1], f.logMelParameters).values
        XCTAssertEqual(Array(set.x.data[0..<(63 * 16)]), Array(second[(5 * 16)..<((5 + 63) * 16)]))
    }

    func testRandomCropsDependOnSeedEpochAndClipOnly() throws {
        let c = try config()
        let whole = ClipFeatures.compute([tone(40000, 440), tone(16000, 660), tone(64000, 990)], labels: [0, 1, 0],
                                         files: [0, 1, 2], features: c.features)
        let e0 = whole.randomStarts(epoch: 0, seed: 9, cropFrames: 63)
        XCTAssertEqual(e0, whole.randomStarts(epoch: 0, seed: 9, cropFrames: 63))
        XCTAssertEqual(e0[1], 0, "a clip of exactly one crop has one start")
        var epochs = Set<[Int]>()
        for epoch in 0..<6 {
            let s = whole.randomStarts(epoch: epoch, seed: 9, cropFrames: 63)
            for i in 0..<3 { XCTAssertTrue((0...(whole.frames(of: i) - 63)).contains(s[i])) }
            epochs.insert(s)
        }
        XCTAssertGreaterThan(epochs.count, 3, "crops move between epochs")
        XCTAssertNotEqual(whole.randomStarts(epoch: 0, seed: 10, cropFrames: 63), e0)
        // a clip's start does not depend on the other clips
        let alone = ClipFeatures(x: whole.x, offsets: whole.offsets, labels: whole.labels, files: whole.files)
        XCTAssertEqual(alone.randomStarts(epoch: 3, seed: 9, cropFrames: 63)[2],
                       whole.randomStarts(epoch: 3, seed: 9, cropFrames: 63)[2])
        let crops = whole.trainingCrops(epoch: 2, seed: 9, shape: c.inputShape)
        XCTAssertEqual(crops.count, 3)
        XCTAssertEqual(crops.labels, [0, 1, 0])
    }

    func testSlidingCropsEveryHop() throws {
        let c = try config(hop: 0.5)
        XCTAssertEqual(c.features.hopFrames, 31)
        let whole = ClipFeatures.compute([tone(40000, 440), tone(100, 660)], labels: [0, 1], files: [0, 1],
                                         features: c.features)
        XCTAssertEqual(whole.frames(of: 0), 157)
        XCTAssertEqual(whole.slidingStarts(of: 0, cropFrames: 63, hop: 31), [0, 31, 62, 93])
        XCTAssertEqual(whole.slidingStarts(of: 1, cropFrames: 63, hop: 31), [0])
        let sliding = whole.slidingCrops(hop: 31, shape: c.inputShape)
        XCTAssertEqual(sliding.owners, [0, 0, 0, 0, 1])
        XCTAssertEqual(sliding.set.x.shape, [5, 63, 16, 1])
        XCTAssertEqual(try config().features.hopFrames, 63, "default: one crop")
    }
}
