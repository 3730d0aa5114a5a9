import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// `training.early_stopping`: the stop decisions against Keras's `EarlyStopping`
/// (Tests/Fixtures/make_early_stopping_fixtures.py), the config key, and the trainer stopping after
/// the same epoch whether or not the run was resumed.
final class EarlyStoppingTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func records(_ accuracies: [Double]) -> [EpochRecord] {
        accuracies.enumerated().map { i, a in
            EpochRecord(epoch: i + 1, loss: 1, accuracy: 0.5, validationLoss: 1, validationAccuracy: a, seconds: 0.1)
        }
    }

    /// The first epoch after which Earmark stops, 0 when it runs them all.
    func earmarkStop(_ accuracies: [Double], _ rule: EarlyStopping) -> Int {
        for n in 1...accuracies.count where rule.verdict(history: records(Array(accuracies.prefix(n)))) != nil {
            return n
        }
        return 0
    }

    func testStopsAfterTheEpochKerasStopsAfter() throws {
        let f = try Fixtures.load("training/early_stopping.safetensors")
        let histories = try f.tensor("val_accuracy"), stops = try f.integers("stopped_after").values
        let patience = try f.integers("patience").values, delta = try f.tensor("min_delta").data
        let (cases, epochs) = (histories.shape[0], histories.shape[1])
        XCTAssertEqual(cases, 60)
        XCTAssertGreaterThan(stops.filter { $0 > 0 }.count, 20, "the fixture has early stops")
        XCTAssertGreaterThan(stops.filter { $0 == 0 }.count, 10, "and runs that go to the end")
        for c in 0..<cases {
            let accuracies = (0..<epochs).map { Double(histories.data[c * epochs + $0]) }
            let rule = EarlyStopping(patience: Int(patience[c]), minDelta: Double(delta[c]))
            XCTAssertEqual(earmarkStop(accuracies, rule), Int(stops[c]),
                           "case \(c): \(accuracies), patience \(patience[c]), min_delta \(delta[c])")
        }
    }

    func testVerdictNamesTheLastImprovementAndSkipsEpochsWithoutValidation() {
        let rule = EarlyStopping(patience: 2)
        XCTAssertNil(rule.verdict(history: []))
        XCTAssertNil(rule.verdict(history: records([0.5, 0.7, 0.7])))
        XCTAssertEqual(rule.verdict(history: records([0.5, 0.7, 0.7, 0.6])),
                       EarlyStopping.Verdict(stoppedAfter: 4, lastImprovement: 2))
        // no validation windows: nothing to watch, no stop
        XCTAssertNil(rule.verdict(history: records([.nan, .nan, .nan, .nan])))
        XCTAssertEqual(EarlyStopping(patience: 1, minDelta: 0.1).verdict(history: records([0.5, 0.55])),
                       EarlyStopping.Verdict(stoppedAfter: 2, lastImprovement: 1), "a rise below min_delta")
    }

    func testConfigKeyParsesPrintsOnlyWhenSetAndIsChecked() throws {
        let plain = try ExperimentConfig.parse(layers, file: "cfg/x.yaml", defaultName: "x")
        XCTAssertNil(plain.training.earlyStopping)
        XCTAssertFalse(plain.yaml().contains("early_stopping"))
        let c = try ExperimentConfig.parse(layers + "training: {early_stopping: {patience: 5, min_delta: 0.01}}\n",
                                           file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(c.training.earlyStopping, EarlyStopping(patience: 5, minDelta: 0.01))
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  early_stopping: {patience: 5, min_delta: 0.01}\nsplit:\n"), c.yaml())
        var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        back.source = c.source
        XCTAssertEqual(back, c)
        XCTAssertNotEqual(c.configHash, plain.configHash)
        let defaultDelta = try ExperimentConfig.parse(layers + "training:\n  early_stopping: {patience: 0}\n",
                                                      file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(defaultDelta.training.earlyStopping, EarlyStopping(patience: 0, minDelta: 0))

        let bad: [(String, String)] = [
            (layers + "training:\n  early_stopping: {min_delta: 0.1}\n",
             "cfg/x.yaml:6: training.early_stopping: needs patience"),
            (layers + "training:\n  early_stopping: {patience: -1}\n", "training.early_stopping.patience"),
            (layers + "training:\n  early_stopping: {patience: 3, monitor: val_loss}\n", "monitor"),
            (layers + "training:\n  early_stopping: {patience: 3}\nsplit: {validation: 0}\n",
             "cfg/x.yaml:6: training.early_stopping: watches the validation accuracy, but split.validation is 0"),
            ("model: {kind: random_forest}\ntraining:\n  early_stopping: {patience: 3}\n",
             "cfg/x.yaml:3: training.early_stopping: does not apply to a random forest"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try ExperimentConfig.parse(text, file: "cfg/x.yaml", defaultName: "x"), text) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }

    func model() throws -> Sequential {
        try Sequential(inputShape: [4], layers: [Dense(units: 6, activation: .relu),
                                                 Dense(units: 3, activation: .softmax)], seed: 1)
    }

    func windows(_ n: Int, seed: UInt64) -> WindowSet {
        var rng = RandomGenerator(seed: seed)
        let labels = (0..<n).map { Int32($0 % 3) }
        let x = (0..<n).flatMap { _ in (0..<4).map { _ in rng.nextNormal() } }     // nothing to learn
        return WindowSet(x: Tensor(shape: [n, 4], data: x), labels: labels, files: labels)
    }

    func trainer() throws -> Trainer {
        let t = Trainer(model: try model(), optimizer: Adam(learningRate: 0.01), loss: SoftmaxCrossEntropy(),
                        batchSize: 8, seed: 3)
        t.earlyStopping = EarlyStopping(patience: 1, minDelta: 0.05)
        return t
    }

    /// A run stops after the epoch its history calls for, not at `epochs`; a trainer restored from that
    /// state (a resume) runs no further epoch.
    func testTrainerStopsEarlyAndAResumedRunStopsAtTheSamePlace() throws {
        let (train, validation) = (windows(48, seed: 1), windows(30, seed: 2))
        let t = try trainer()
        var ends = 0
        var events = TrainingEvents()
        events.epochEnd = { _, _ in ends += 1 }
        XCTAssertEqual(try t.run(train: train, validation: validation, epochs: 40, events: events), .finished)
        let history = t.state.history
        XCTAssertLessThan(history.count, 40, "stopped early")
        XCTAssertEqual(ends, history.count)
        let verdict = try XCTUnwrap(t.earlyStopping?.verdict(history: history))
        XCTAssertEqual(verdict.stoppedAfter, history.count)
        XCTAssertNil(t.earlyStopping?.verdict(history: Array(history.dropLast())), "not one epoch earlier")

        let resumed = try trainer()
        resumed.state = t.state
        XCTAssertEqual(try resumed.run(train: train, validation: validation, epochs: 40, events: events), .finished)
        XCTAssertEqual(resumed.state.history, history, "the resumed run trains no further epoch")
        XCTAssertEqual(ends, history.count)

        let plain = try trainer()
        plain.earlyStopping = nil
        _ = try plain.run(train: train, validation: validation, epochs: history.count + 2, events: TrainingEvents())
        XCTAssertEqual(plain.state.history.count, history.count + 2, "without it every epoch runs")
    }
}
