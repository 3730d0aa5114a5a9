import Audio
import Foundation
@testable import Pipeline
import TestSupport
import XCTest

/// `predict --stream` in process: its windows and probabilities against `Predictor`'s on the same clip.
final class StreamPredictorTests: XCTestCase {
    /// A shipped config with seeded random weights and 3 classes.
    func model(_ mode: String) throws -> TrainedModel {
        let config = try ExperimentConfig.parse(BuiltInConfigs.texts[mode]!, file: mode, defaultName: mode)
        return TrainedModel(config: config, classes: ["a", "b", "c"],
                            scaling: .minMax(min: -33.5, max: 50.7), splits: [:],
                            network: try config.makeModel(classes: 3, seed: 7))
    }

    /// Streams `bytes` in pieces of `piece` bytes; returns the parsed JSON lines.
    func stream(_ bytes: Data, model: TrainedModel, options: StreamWorkflow.Options,
                piece: Int = 3000) throws -> [[String: Any]] {
        let session = try StreamSession(model: model, modelName: "m", options: options)
        var lines: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            try bytes[start..<end].withUnsafeBytes { try session.push($0) { lines.append($0) } }
            start = end
        }
        _ = try session.finish { lines.append($0) }
        return try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func probabilities(_ line: [String: Any]) -> [Float] {
        let p = line["probabilities"] as? [String: Double] ?? [:]
        return ["a", "b", "c"].map { Float(p[$0] ?? .nan) }
    }

    func assertSame(_ lines: [[String: Any]], _ expected: [[Float]], _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(lines.count, expected.count, what, file: file, line: line)
        for (l, e) in zip(lines, expected) {
            assertClose(probabilities(l), e, tolerance: 1e-6, what, file: file, line: line)
        }
    }

    func testReferenceConvAndTimeWindowsEqualPredictsWindows() throws {
        let clip = RawPCM.bursts(seconds: 2.2, rate: 16000)
        let cleaned = try Cleaning.clean(AudioClip(samples: clip, sampleRate: 16000))
        for mode in ["conv", "time"] {
            let m = try model(mode)
            let expected = Predictor(model: m).windowProbabilities(cleaned: cleaned)
            XCTAssertGreaterThan(expected.count, 10)
            let lines = try stream(RawPCM.f32le(clip), model: m, options: .init(format: .f32le, json: true))
            assertSame(lines, expected, mode)
            XCTAssertEqual(lines.map { $0["window"] as? Int }, Array(0..<expected.count).map { Optional($0) })
            let times = lines.compactMap { $0["time"] as? Double }
            XCTAssertEqual(times, times.sorted())
            XCTAssertLessThanOrEqual(times.last ?? 99, 2.2)
        }
    }

    func testEverySpanLongerThanTheStreamIsPredictsClipProbability() throws {
        let clip = RawPCM.bursts(seconds: 1.5, rate: 16000)
        let m = try model("conv")
        let clipResult = Predictor(model: m).predict(cleaned: [try Cleaning.clean(AudioClip(samples: clip,
                                                                                              sampleRate: 16000))])[0]
        let lines = try stream(RawPCM.f32le(clip), model: m, options: .init(format: .f32le, every: 60, json: true))
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines[0]["windows"] as? Int, clipResult.windows)
        assertClose(probabilities(lines[0]), try XCTUnwrap(clipResult.probabilities), tolerance: 1e-6, "span mean")
        XCTAssertEqual(try XCTUnwrap(lines[0]["time"] as? Double), 1.5, accuracy: 1e-9)

        let spans = try stream(RawPCM.f32le(clip), model: m, options: .init(format: .f32le, every: 0.5, json: true))
        XCTAssertEqual(spans.compactMap { $0["time"] as? Double }, [0.5, 1.0, 1.5])
        XCTAssertEqual(spans.compactMap { $0["windows"] as? Int }.reduce(0, +), clipResult.windows)
    }

    /// A NaN sample: the window holding it is dropped, every other window is predict's on the clip
    /// with that sample silent.
    func testANaNSampleDropsItsWindowOnly() throws {
        var clip = RawPCM.bursts(seconds: 2, rate: 16000)
        clip[5000] = 0
        let m = try model("conv")
        let mask = EnvelopeGate.mask(clip, sampleRate: 16000)
        let keptBefore = mask[0..<5000].filter { $0 }.count
        XCTAssertTrue(mask[5000], "the NaN must fall in a kept stretch")
        var expected = Predictor(model: m).windowProbabilities(cleaned: EnvelopeGate.apply(clip, sampleRate: 16000))
        let hop = m.config.features.hopSamples, window = m.config.features.windowSamples
        let holding = expected.indices.filter { $0 * hop <= keptBefore && keptBefore < $0 * hop + window }
        XCTAssertEqual(holding.count, 1)
        expected.remove(at: holding[0])
        clip[5000] = .nan
        let lines = try stream(RawPCM.f32le(clip), model: m, options: .init(format: .f32le, json: true))
        assertSame(lines, expected, "NaN dropped")
        XCTAssertFalse(lines.contains { $0["window"] as? Int == holding[0] })
    }

    func testClipInputDescriptorAndForestModelsAreRefusedWithAReason() throws {
        XCTAssertNil(StreamPredictor.refusal(try model("time")))
        let clipModel = try model("clip_cnn")
        let reason = try XCTUnwrap(StreamPredictor.refusal(clipModel))
        XCTAssertTrue(reason.contains("input: clip"), reason)
        XCTAssertThrowsError(try StreamPredictor(model: clipModel, name: "models/clip.safetensors")) { error in
            XCTAssertTrue("\(error)".hasPrefix("models/clip.safetensors: cannot classify a stream"), "\(error)")
        }
    }
}
