import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// `training.early_stopping` and `training.reduce_lr_on_plateau`: the decisions against Keras's
/// `EarlyStopping` and `ReduceLROnPlateau` (Tests/Fixtures/make_callback_fixtures.py), the config
/// keys, and the trainer acting after the same epochs whether or not the run was resumed.
final class TrainingCallbacksTests: XCTestCase {
    let layers = TrainingCallbacksTests.minimalLayers

    func records(_ accuracies: [Double], losses: [Double]? = nil) -> [EpochRecord] {
        accuracies.enumerated().map { i, a in
            EpochRecord(epoch: i + 1, loss: 1, accuracy: 0.5, validationLoss: losses?[i] ?? 1, validationAccuracy: a,
                        seconds: 0.1)
        }
    }

    /// The fixture's histories: (validation accuracies, validation losses, monitor) per case.
    func fixtureHistories(_ f: SafeTensors.File) throws -> [(records: [EpochRecord], monitor: MonitoredMetric)] {
        let accuracy = try f.tensor("val_accuracy"), loss = try f.tensor("val_loss")
        let monitorLoss = try f.integers("monitor_loss").values
        let (cases, epochs) = (accuracy.shape[0], accuracy.shape[1])
        XCTAssertEqual(cases, 60)
        XCTAssertGreaterThan(monitorLoss.filter { $0 == 1 }.count, 20, "both figures are watched")
        XCTAssertGreaterThan(monitorLoss.filter { $0 == 0 }.count, 20, "both figures are watched")
        return (0..<cases).map { c in
            let a = (0..<epochs).map { Double(accuracy.data[c * epochs + $0]) }
            let l = (0..<epochs).map { Double(loss.data[c * epochs + $0]) }
            return (records(a, losses: l), monitorLoss[c] == 1 ? .valLoss : .valAccuracy)
        }
    }

    /// The first epoch after which Earmark stops, 0 when it runs them all.
    func earmarkStop(_ history: [EpochRecord], _ rule: EarlyStopping) -> Int {
        for n in 1...history.count where rule.verdict(history: Array(history.prefix(n))) != nil { return n }
        return 0
    }

    func testStopsAfterTheEpochKerasStopsAfter() throws {
        let f = try Fixtures.load("training/callbacks.safetensors")
        let stops = try f.integers("stopped_after").values
        let patience = try f.integers("patience").values, delta = try f.tensor("min_delta").data
        XCTAssertGreaterThan(stops.filter { $0 > 0 }.count, 20, "the fixture has early stops")
        XCTAssertGreaterThan(stops.filter { $0 == 0 }.count, 10, "and runs that go to the end")
        for (c, history) in try fixtureHistories(f).enumerated() {
            let rule = EarlyStopping(patience: Int(patience[c]), minDelta: Double(delta[c]), monitor: history.monitor)
            XCTAssertEqual(earmarkStop(history.records, rule), Int(stops[c]), "case \(c): \(rule)")
        }
    }

    func testLearningRatesAreKerasReduceLROnPlateausEpochByEpoch() throws {
        let f = try Fixtures.load("training/callbacks.safetensors")
        let factor = try f.tensor("factor").data, patience = try f.integers("lr_patience").values
        let delta = try f.tensor("lr_min_delta").data, cooldown = try f.integers("cooldown").values
        let minRate = try f.tensor("min_lr").data, keras = try f.tensor("learning_rate")
        let epochs = keras.shape[1]
        var reduced = 0, clamped = 0, twice = 0
        for (c, history) in try fixtureHistories(f).enumerated() {
            // factor and min_lr as a config holds them: the decimal (0.2, 0.001) as a double, which is what
            // Keras multiplied by; the fixture stores them as float32, whose shortest decimal is that one
            let rule = ReduceLROnPlateau(factor: Double("\(factor[c])")!, patience: Int(patience[c]),
                                         minDelta: Double(delta[c]), cooldown: Int(cooldown[c]),
                                         minLearningRate: Double("\(minRate[c])")!, monitor: history.monitor)
            let rates = rule.learningRates(initial: 0.01, history: history.records)
            let expected = Array(keras.data[(c * epochs)..<((c + 1) * epochs)])
            XCTAssertEqual(rates, expected, "case \(c): \(rule)")
            if expected.last != 0.01 { reduced += 1 }
            if Set(expected).count > 2 { twice += 1 }
            if minRate[c] > 0 && expected.last == minRate[c] { clamped += 1 }
        }
        XCTAssertGreaterThan(reduced, 10, "the fixture reduces the rate")
        XCTAssertGreaterThan(twice, 3, "more than once")
        XCTAssertGreaterThan(clamped, 0, "down to min_lr")
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
        let plain = try parseConfig()
        XCTAssertNil(plain.training.earlyStopping)
        XCTAssertFalse(plain.yaml().contains("early_stopping"))
        let c = try parseConfig(training: "{early_stopping: {patience: 5, min_delta: 0.01}}")
        XCTAssertEqual(c.training.earlyStopping, EarlyStopping(patience: 5, minDelta: 0.01))
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  early_stopping: {monitor: val_accuracy, patience: 5, min_delta: 0.01}\n"
                                        + "split:\n"), c.yaml())
        try assertPrintsBackAndHashesApart(c, from: plain)
        let defaultDelta = try ExperimentConfig.parse(layers + "training:\n  early_stopping: {patience: 0}\n",
                                                      file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(defaultDelta.training.earlyStopping, EarlyStopping(patience: 0, minDelta: 0))

        let bad: [(String, String)] = [
            (layers + "training:\n  early_stopping: {min_delta: 0.1}\n",
             "cfg/x.yaml:6: training.early_stopping: needs patience"),
            (layers + "training:\n  early_stopping: {patience: -1}\n", "training.early_stopping.patience"),
            (layers + "training:\n  early_stopping: {patience: 3, monitor: loss}\n",
             "training.early_stopping.monitor: 'loss' is not one of val_accuracy, val_loss"),
            (layers + "training:\n  early_stopping: {patience: 3, mode: max}\n", "training.early_stopping.mode: unknown key (allowed here: monitor, patience, min_delta)"),
            (layers + "training:\n  early_stopping: {patience: 3}\nsplit: {validation: 0}\n",
             "cfg/x.yaml:6: training.early_stopping: watches a validation figure, but split.validation is 0"),
            ("model: {kind: random_forest}\ntraining:\n  early_stopping: {patience: 3}\n",
             "cfg/x.yaml:3: training.early_stopping: does not apply to a random forest"),
        ]
        assertConfigErrors(bad)
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

    /// With min_delta 1 no epoch after the first improves, so patience 1 halves the rate after every
    /// epoch from the second. The rates are announced before the epochs they apply to, and a run
    /// interrupted after 2 epochs and continued from its state (weights, optimizer slots, history) ends
    /// with the uninterrupted run's weights bit for bit: it replays the same rates.
    func testTrainerLowersTheLearningRateAndAResumedRunEndsWithTheSameWeights() throws {
        let (train, validation) = (windows(48, seed: 1), windows(30, seed: 2))
        func halving() throws -> Trainer {
            let t = Trainer(model: try model(), optimizer: Adam(learningRate: 0.01), loss: SoftmaxCrossEntropy(),
                            batchSize: 8, seed: 3)
            t.reduceLearningRate = ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 1)
            return t
        }
        var announced: [String] = [], used: [Float] = []
        var events = TrainingEvents()
        events.learningRateChanged = { announced.append("\($0): \($1)") }
        let whole = try halving()
        events.step = { _, step, _, _, _, _ in if step == 0 { used.append(whole.optimizer.learningRate) } }
        XCTAssertEqual(try whole.run(train: train, validation: validation, epochs: 4, events: events), .finished)
        XCTAssertEqual(used, [0.01, 0.01, 0.005, 0.0025])
        XCTAssertEqual(announced, ["2: 0.005", "3: 0.0025"])
        XCTAssertEqual(whole.reduceLearningRate?.learningRates(initial: 0.01, history: whole.state.history),
                       [0.01, 0.005, 0.0025, 0.00125])

        let first = try halving()
        _ = try first.run(train: train, validation: validation, epochs: 2, events: TrainingEvents())
        let resumed = try halving()
        for (to, from) in zip(resumed.model.parameters, first.model.parameters) { to.value = from.value }
        try resumed.optimizer.restore(first.optimizer.state(), for: resumed.model.parameters)
        resumed.state = first.state
        announced = []
        _ = try resumed.run(train: train, validation: validation, epochs: 4, events: events)
        XCTAssertEqual(announced, ["2: 0.005", "3: 0.0025"])
        XCTAssertEqual(resumed.state.history.map(\.validationLoss), whole.state.history.map(\.validationLoss))
        for (a, b) in zip(resumed.model.parameters, whole.model.parameters) {
            XCTAssertEqual(a.value.data, b.value.data, "\(a.name)")
        }
    }

    func testReduceKeyParsesPrintsOnlyWhenSetAndIsChecked() throws {
        let plain = try parseConfig()
        XCTAssertNil(plain.training.reduceLROnPlateau)
        XCTAssertFalse(plain.yaml().contains("reduce_lr_on_plateau"))
        let c = try ExperimentConfig.parse(layers + "training:\n  reduce_lr_on_plateau: {monitor: val_loss, factor: 0.5, "
                                           + "patience: 3, cooldown: 1, min_lr: 0.00001}\n",
                                           file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(c.training.reduceLROnPlateau,
                       ReduceLROnPlateau(factor: 0.5, patience: 3, minDelta: 1e-4, cooldown: 1, minLearningRate: 1e-5,
                                         monitor: .valLoss))
        XCTAssertTrue(c.yaml().contains("  reduce_lr_on_plateau: {monitor: val_loss, factor: 0.5, patience: 3, "
                                        + "min_delta: 0.0001, cooldown: 1, min_lr: 1e-05}\n"), c.yaml())
        try assertPrintsBackAndHashesApart(c, from: plain)
        let defaults = try ExperimentConfig.parse(layers + "training:\n  reduce_lr_on_plateau: {}\n", file: "cfg/x.yaml",
                                                  defaultName: "x")
        XCTAssertEqual(defaults.training.reduceLROnPlateau, ReduceLROnPlateau(factor: 0.1, patience: 10, minDelta: 1e-4))

        let bad: [(String, String)] = [
            ("  reduce_lr_on_plateau: {factor: 1}\n", "training.reduce_lr_on_plateau.factor: must be below 1"),
            ("  reduce_lr_on_plateau: {factor: 0}\n", "training.reduce_lr_on_plateau.factor"),
            ("  reduce_lr_on_plateau: {patience: 2.5}\n", "training.reduce_lr_on_plateau.patience"),
            ("  reduce_lr_on_plateau: {verbose: 1}\n", "verbose"),
            ("  reduce_lr_on_plateau: {}\nsplit: {validation: 0}\n",
             "cfg/x.yaml:6: training.reduce_lr_on_plateau: watches a validation figure, but split.validation is 0"),
        ]
        assertConfigErrors(bad, prefix: layers + "training:\n")
    }
}
