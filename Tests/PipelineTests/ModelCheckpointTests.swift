import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// `training.model_checkpoint`: the epochs that replace the saved model against Keras's
/// `ModelCheckpoint(save_best_only=True)` on both figures (Tests/Fixtures/make_callback_fixtures.py), the
/// trainer saving those epochs, and the config key. (An extension of TrainingCallbacksTests, whose
/// fixture histories and helpers it shares.)
extension TrainingCallbacksTests {
    func testSavedEpochsAreKerasModelCheckpointsOnBothFigures() throws {
        let f = try Fixtures.load("training/callbacks.safetensors")
        let histories = try fixtureHistories(f)
        var unsaved = 0
        for monitor in MonitoredMetric.allCases {
            let keras = try f.integers("saved_\(monitor.rawValue)")
            let epochs = keras.shape[1]
            let rule = ModelCheckpoint(monitor: monitor)
            for (c, history) in histories.enumerated() {
                for e in 1...epochs {
                    let saved = keras.values[c * epochs + e - 1] == 1
                    if !saved { unsaved += 1 }
                    XCTAssertEqual(rule.savesLastEpoch(of: Array(history.records.prefix(e))), saved,
                                   "case \(c), epoch \(e), \(monitor.rawValue)")
                }
                let last = (1...epochs).last { keras.values[c * epochs + $0 - 1] == 1 }
                XCTAssertEqual(rule.savedEpoch(of: history.records), last, "case \(c), \(monitor.rawValue)")
            }
        }
        XCTAssertGreaterThan(unsaved, 200, "the fixture has epochs that tie or fall behind the best")
    }

    func testWithoutSaveBestOnlyEveryEpochIsSavedAndEpochsWithoutValidationAlwaysAre() {
        let history = records([0.5, 0.9, 0.7], losses: [0.9, 0.2, 0.4])
        let last = ModelCheckpoint(saveBestOnly: false)
        XCTAssertTrue((1...3).allSatisfy { last.savesLastEpoch(of: Array(history.prefix($0))) })
        XCTAssertEqual(last.savedEpoch(of: history), 3)
        XCTAssertEqual(ModelCheckpoint().savedEpoch(of: history), 2)
        XCTAssertEqual(ModelCheckpoint(monitor: .valLoss).savedEpoch(of: history), 2)
        XCTAssertNil(ModelCheckpoint().savedEpoch(of: []))
        let blind = records([.nan, .nan], losses: [.nan, .nan])
        XCTAssertEqual(ModelCheckpoint(monitor: .valLoss).savedEpoch(of: blind), 2, "nothing to choose by: the last")
    }

    /// The trainer's `improved` events are the rule's decisions on its history, and the state's
    /// accuracy is that of the last saved epoch (not the highest, when the loss chooses).
    func testTrainerSavesTheEpochsOfItsRule() throws {
        let (train, validation) = (noisyWindows(96, seed: 1), noisyWindows(30, seed: 2))
        for rule in [ModelCheckpoint(monitor: .valLoss), ModelCheckpoint(saveBestOnly: false), ModelCheckpoint()] {
            let t = Trainer(model: try model(), optimizer: Adam(learningRate: 0.05), loss: SoftmaxCrossEntropy(),
                            batchSize: 8, seed: 3)
            t.modelCheckpoint = rule
            var saved: [Bool] = []
            var events = TrainingEvents()
            events.epochEnd = { _, improved in saved.append(improved) }
            _ = try t.run(train: train, validation: validation, epochs: 12, events: events)
            let history = t.state.history
            XCTAssertEqual(saved, (1...12).map { rule.savesLastEpoch(of: Array(history.prefix($0))) }, "\(rule)")
            let epoch = try XCTUnwrap(rule.savedEpoch(of: history))
            XCTAssertEqual(t.state.bestValidationAccuracy, history[epoch - 1].validationAccuracy, "\(rule)")
            if rule.monitor == .valLoss {
                XCTAssertNotEqual(saved, (1...12).map { ModelCheckpoint().savesLastEpoch(of: Array(history.prefix($0))) },
                                  "the loss saves other epochs than the accuracy here")
            }
        }
    }

    /// Windows whose class is the largest of their first three values, a third of the labels drawn at
    /// random: the loss keeps falling while the accuracy stalls and ties.
    func noisyWindows(_ n: Int, seed: UInt64) -> WindowSet {
        var rng = RandomGenerator(seed: seed)
        var x: [Float] = [], labels: [Int32] = []
        for _ in 0..<n {
            let row = (0..<4).map { _ in rng.nextNormal() }
            x += row
            let label = rng.nextInt(below: 3) == 0 ? rng.nextInt(below: 3) : (0..<3).max { row[$0] < row[$1] }!
            labels.append(Int32(label))
        }
        return WindowSet(x: Tensor(shape: [n, 4], data: x), labels: labels, files: labels)
    }

    func testModelCheckpointKeyParsesPrintsOnlyWhenSetAndIsChecked() throws {
        let plain = try parseConfig()
        XCTAssertNil(plain.training.modelCheckpoint)
        XCTAssertFalse(plain.yaml().contains("model_checkpoint"))
        let c = try parseConfig(training: "{model_checkpoint: {monitor: val_loss}}")
        XCTAssertEqual(c.training.modelCheckpoint, ModelCheckpoint(monitor: .valLoss, saveBestOnly: true))
        XCTAssertTrue(c.yaml().contains("  model_checkpoint: {monitor: val_loss, save_best_only: true}\nsplit:\n"), c.yaml())
        try assertPrintsBackAndHashesApart(c, from: plain)
        let last = try ExperimentConfig.parse(layers + "training: {model_checkpoint: {save_best_only: false}}\n"
                                              + "split: {validation: 0}\n", file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(last.training.modelCheckpoint, ModelCheckpoint(monitor: .valAccuracy, saveBestOnly: false))

        let bad: [(String, String)] = [
            (layers + "training:\n  model_checkpoint: {monitor: accuracy}\n",
             "training.model_checkpoint.monitor: 'accuracy' is not one of val_accuracy, val_loss"),
            (layers + "training:\n  model_checkpoint: {save_freq: epoch}\n", "save_freq"),
            (layers + "training:\n  model_checkpoint: {save_best_only: 1}\n", "training.model_checkpoint.save_best_only"),
            (layers + "training:\n  model_checkpoint: {monitor: val_loss}\nsplit: {validation: 0}\n",
             "cfg/x.yaml:6: training.model_checkpoint: chooses by a validation figure, but split.validation is 0"),
            ("model: {kind: random_forest}\ntraining:\n  model_checkpoint: {}\n",
             "cfg/x.yaml:3: training.model_checkpoint: does not apply to a random forest"),
        ]
        assertConfigErrors(bad)
    }
}
