import Audio
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// End to end in process on the generated demo data: log-mel features with `input: clip` and
/// `scaling: standard` prepare (and cache), train with a new crop per epoch, save, load and predict
/// by sliding crops; the window input with log-mel, long windows and a prediction hop runs too.
final class ClipTrainPredictTests: XCTestCase {
    var root: URL!
    var demo: DataFolder!

    final class Silent: TrainingConsole {
        func note(_ text: String) {}
        func epochStart(_ epoch: Int, of epochs: Int) {}
        func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {}
        func epochEnd(_ record: EpochRecord, steps: Int, improved: Bool) {}
    }

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-clip")
        demo = try DemoData.ensure(in: DataFolder(root: root), clipsPerClass: 4, log: { _ in })
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func config(_ features: String, name: String = "clip") throws -> ExperimentConfig {
        try ExperimentConfig.parse("""
            features: \(features)
            model:
              layers:
                - conv2d: {filters: 4, kernel_size: [3, 3], padding: same, activation: relu}
                - max_pooling2d: {pool_size: [4, 4]}
                - flatten: {}
                - dense: {units: classes, activation: softmax}
            training: {epochs: 3, batch_size: 4}
            split: {test: 0.25, validation: 0.25}

            """, file: "cfg/\(name).yaml", defaultName: name)
    }

    func testClipInputTrainsSavesLoadsAndPredicts() throws {
        let config = try config("{kind: logmel, n_mels: 32, n_fft: 512, hop_length: 256, input: clip, "
                                + "clip_seconds: 1.5, hop_seconds: 0.5, scaling: standard}")
        XCTAssertEqual(config.inputShape, [94, 32, 1])
        let prepared = try Preparation.run(config: config, data: demo)
        XCTAssertFalse(prepared.cacheHit)
        let clips = try XCTUnwrap(prepared.trainClips)
        XCTAssertEqual(prepared.train.count, prepared.trainRows.count, "one crop per training clip")
        XCTAssertEqual(prepared.train.x.shape.dropFirst(), [94, 32, 1])
        XCTAssertEqual(clips.count, prepared.trainRows.count)
        XCTAssertGreaterThan(prepared.validation.count, prepared.validationRows.count, "sliding validation crops")
        guard case let .standard(mean, _) = prepared.scaling else { return XCTFail("\(prepared.scaling)") }
        XCTAssertEqual(mean.count, 32)
        // scaled frames: every coefficient has mean 0 over the training frames
        for c in [0, 17, 31] {
            let values = stride(from: c, to: clips.x.count, by: 32).map { Double(clips.x.data[$0]) }
            XCTAssertEqual(values.reduce(0, +) / Double(values.count), 0, accuracy: 1e-3)
        }
        // the crops of an epoch are a function of the epoch: equal when asked again, moved in another
        XCTAssertEqual(prepared.trainingSet(epoch: 0, config: config).x.data, prepared.train.x.data)
        XCTAssertEqual(prepared.trainingSet(epoch: 2, config: config).x.data,
                       prepared.trainingSet(epoch: 2, config: config).x.data)
        XCTAssertNotEqual(prepared.trainingSet(epoch: 1, config: config).x.data, prepared.train.x.data)

        let again = try Preparation.run(config: config, data: demo)
        XCTAssertTrue(again.cacheHit)
        XCTAssertEqual(again.train.x.data, prepared.train.x.data)
        XCTAssertEqual(again.scaling, prepared.scaling)

        let summary = try TrainingRun(config: config, data: demo, prepared: prepared)
            .run(resume: false, console: Silent()) { false }
        XCTAssertEqual(summary.outcome, .finished)
        XCTAssertEqual(summary.history.count, 3)
        let test = try XCTUnwrap(summary.test)
        XCTAssertEqual(test.rows.count, prepared.testRows.count)

        let model = try TrainedModel.load(from: demo.model("clip")).model
        XCTAssertEqual(model.scaling, prepared.scaling)
        XCTAssertEqual(model.config.configHash, config.configHash)
        let predictor = Predictor(model: model)
        let long = prepared.clips[prepared.testRows[0]]
        let results = predictor.predict(cleaned: [long, Array(long.prefix(3000)), []])
        XCTAssertEqual(results[0].windows, 1 + (1 + long.count / 256 - 94) / 31)
        XCTAssertEqual(results[1].windows, 1, "a short clip is padded to one crop")
        XCTAssertNil(results[2].probabilities)
        for r in results.prefix(2) {
            let p = try XCTUnwrap(r.probabilities)
            XCTAssertEqual(Double(p.reduce(0, +)), 1, accuracy: 1e-4)
        }
    }

    func testLongLogMelWindowsWithAPredictionHop() throws {
        let config = try config("{kind: logmel, n_mels: 32, window_seconds: 1.0, hop_seconds: 0.25}", name: "windows")
        XCTAssertEqual(config.inputShape, [32, 32, 1])
        let prepared = try Preparation.run(config: config, data: demo)
        XCTAssertNil(prepared.trainClips)
        XCTAssertEqual(prepared.train.x.shape.dropFirst(), [32, 32, 1])
        let seconds = prepared.trainRows.map { Double(prepared.clips[$0].count) / 16000 }.reduce(0, +)
        XCTAssertEqual(prepared.train.count, 2 * Int(seconds / 1.0))
        guard case .minMax = prepared.scaling else { return XCTFail("minmax is the default") }
        let summary = try TrainingRun(config: config, data: demo, prepared: prepared)
            .run(resume: false, console: Silent()) { false }
        XCTAssertEqual(summary.outcome, .finished)
        let model = try TrainedModel.load(from: demo.model("windows")).model
        let clip = prepared.clips[prepared.testRows[0]]
        let r = Predictor(model: model).predict(cleaned: [clip])[0]
        XCTAssertEqual(r.windows, WindowSampler.consecutiveWindows(length: clip.count, window: 16000, hop: 4000).count)
        XCTAssertNotNil(r.probabilities)
    }

    func testEveryNewKeyIsInTheCacheName() throws {
        let base = try config("{kind: logmel, input: clip, clip_seconds: 1}")
        _ = try Preparation.run(config: base, data: demo)
        let clip = "{kind: logmel, input: clip, clip_seconds: "
        for changed in [clip + "1.5}", clip + "1, hop_seconds: 0.2}", clip + "1, scaling: standard}",
                        clip + "1, n_mels: 48}", clip + "1, top_db: null}", "{kind: logmel}"] {
            let c = try config(changed)
            XCTAssertNotEqual(c.featureHash, base.featureHash, changed)
            XCTAssertFalse(try Preparation.run(config: c, data: demo).cacheHit, changed)
        }
        XCTAssertTrue(try Preparation.run(config: base, data: demo).cacheHit)
        // a clip cache whose contents do not fit is rebuilt, not trusted
        let url = demo.pickles.appendingPathComponent("clip-\(base.featureHash).safetensors")
        try Data("garbage".utf8).write(to: url)
        XCTAssertFalse(try Preparation.run(config: base, data: demo).cacheHit)
    }
}
