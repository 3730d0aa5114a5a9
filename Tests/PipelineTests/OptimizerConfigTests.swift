import Layers
import Pipeline
import XCTest

/// `training.weight_decay`, gradient clipping and `label_smoothing`: decoding, printing only when set,
/// and the optimizer they give.
final class OptimizerConfigTests: XCTestCase {
    let layers = OptimizerConfigTests.minimalLayers

    func testWeightDecayParsesPrintsOnlyWhenSetAndReachesTheOptimizer() throws {
        let plain = try parseConfig()
        XCTAssertEqual(plain.training.weightDecay, 0)
        XCTAssertFalse(plain.yaml().contains("weight_decay"))
        XCTAssertEqual((plain.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.weightDecay, 0)

        let c = try parseConfig(training: "{weight_decay: 0.01}")
        XCTAssertEqual(c.training.weightDecay, 0.01)
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  weight_decay: 0.01\nsplit:\n"), c.yaml())
        try assertPrintsBackAndHashesApart(c, from: plain)
        XCTAssertEqual((c.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.weightDecay, 0.01)
        let sgd = try parseConfig(training: "{optimizer: sgd, weight_decay: 0.5}")
        XCTAssertEqual((sgd.training.makeOptimizer(stepsPerEpoch: 1) as? SGD)?.weightDecay, 0.5)
        assertConfigErrors([("training:\n  weight_decay: -0.1\n", "cfg/x.yaml:6: training.weight_decay")],
                           prefix: layers)
    }

    func testClippingKeysParsePrintAndAreExclusive() throws {
        let plain = try parseConfig()
        XCTAssertNil(plain.training.clipping)
        for (key, clipping) in [("clipnorm", GradientClipping.norm(1.5)), ("global_clipnorm", .globalNorm(1.5)),
                                ("clipvalue", .value(1.5))] {
            let c = try parseConfig(training: "{\(key): 1.5}")
            XCTAssertEqual(c.training.clipping, clipping, key)
            XCTAssertTrue(c.yaml().contains("  seed: 0\n  \(key): 1.5\nsplit:\n"), c.yaml())
            try assertPrintsBackAndHashesApart(c, from: plain)
            XCTAssertEqual((c.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.clipping, clipping, key)
        }
        assertConfigErrors([
            ("training:\n  clipnorm: 1\n  clipvalue: 0.5\n",
             "cfg/x.yaml:7: training.clipvalue: only one of clipnorm, global_clipnorm and clipvalue can be set"),
            ("training:\n  clipnorm: 0\n", "cfg/x.yaml:6: training.clipnorm"),
        ], prefix: layers)
    }

    func testLabelSmoothingParsesPrintsOnlyWhenSetAndIsChecked() throws {
        let plain = try parseConfig()
        XCTAssertEqual(plain.training.labelSmoothing, 0)
        XCTAssertFalse(plain.yaml().contains("label_smoothing"))
        let c = try parseConfig(training: "{label_smoothing: 0.1}")
        XCTAssertEqual(c.training.labelSmoothing, 0.1)
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  label_smoothing: 0.1\nsplit:\n"), c.yaml())
        try assertPrintsBackAndHashesApart(c, from: plain)
        assertConfigErrors([
            (layers + "training:\n  label_smoothing: 1\n", "cfg/x.yaml:6: training.label_smoothing"),
            (layers + "training:\n  label_smoothing: -0.1\n", "cfg/x.yaml:6: training.label_smoothing"),
            ("model: {kind: random_forest}\ntraining:\n  label_smoothing: 0.1\n",
             "cfg/x.yaml:3: training.label_smoothing: does not apply to a random forest (it has no loss to smooth)"),
        ])
    }

    /// The config `training: {optimizer: kind, options}` and the `T` it makes, after checking that the
    /// config prints back and hashes apart from `plain`, and that the same optimizer with a cosine
    /// learning-rate schedule is made with it.
    private func optimizer<T: Optimizer>(_ type: T.Type, _ kind: String, options: String, from plain: ExperimentConfig,
                                         file: StaticString = #filePath, line: UInt = #line) throws
        -> (ExperimentConfig, T) {
        let c = try parseConfig(training: "{optimizer: \(kind), \(options)}")
        try assertPrintsBackAndHashesApart(c, from: plain, file: file, line: line)
        let made = try XCTUnwrap(c.training.makeOptimizer(stepsPerEpoch: 1) as? T, file: file, line: line)
        let scheduled = try parseConfig(training: "{optimizer: \(kind), learning_rate_schedule: {kind: cosine_decay}}")
        XCTAssertNotNil((scheduled.training.makeOptimizer(stepsPerEpoch: 10) as? T)?.schedule, file: file, line: line)
        return (c, made)
    }

    /// `optimizer: rmsprop` with Keras's `rho`, `momentum`, `epsilon` and `centered`: printed (rho and
    /// centered only for rmsprop, so other configs keep their text and hashes), and the optimizer made.
    func testRMSpropParsesPrintsAndReachesTheOptimizer() throws {
        let plain = try parseConfig()
        XCTAssertFalse(plain.yaml().contains("rho"))
        let defaults = try parseConfig(training: "{optimizer: rmsprop}")
        XCTAssertTrue(defaults.yaml().contains("  seed: 0\n  rho: 0.9\n  centered: false\nsplit:\n"), defaults.yaml())
        try assertPrintsBackAndHashesApart(defaults, from: plain)
        let made = try XCTUnwrap(defaults.training.makeOptimizer(stepsPerEpoch: 1) as? RMSprop)
        XCTAssertEqual([made.learningRate, made.rho, made.momentum, made.epsilon], [0.001, 0.9, 0, 1e-7])
        XCTAssertFalse(made.centered)

        let (_, o) = try optimizer(RMSprop.self, "rmsprop", options: "learning_rate: 0.01, rho: 0.8, momentum: 0.5, "
                                   + "epsilon: 0.001, centered: true, clipvalue: 2, weight_decay: 0.1", from: defaults)
        XCTAssertEqual([o.learningRate, o.rho, o.momentum, o.epsilon, o.weightDecay], [0.01, 0.8, 0.5, 0.001, 0.1])
        XCTAssertTrue(o.centered)
        XCTAssertEqual(o.clipping, .value(2))

        assertConfigErrors([
            ("training:\n  rho: 0.8\n",
             "cfg/x.yaml:6: training.rho: applies to optimizer rmsprop only (this config's is adam)"),
            ("training:\n  optimizer: sgd\n  centered: true\n",
             "cfg/x.yaml:7: training.centered: applies to optimizer rmsprop only (this config's is sgd)"),
            ("training:\n  optimizer: rmsprop\n  rho: 1\n", "cfg/x.yaml:7: training.rho"),
            ("training:\n  optimizer: rmsprop\n  centered: sometimes\n", "cfg/x.yaml:7: training.centered"),
            ("training:\n  optimizer: adagrad\n", "'adagrad' is not one of adam, sgd, rmsprop, nadam"),
        ], prefix: layers)
    }

    /// A setting the chosen optimizer does not read is named (it was ignored: the weights came out the
    /// same as without it); at its default, as `--print-config` prints it for every optimizer, it is
    /// accepted, so a printed config reads back.
    func testSettingsTheOptimizerDoesNotReadAreErrors() throws {
        assertConfigErrors([
            ("training:\n  momentum: 0.5\n",
             "cfg/x.yaml:6: training.momentum: applies to optimizer sgd and rmsprop only (this config's is adam, which "
             + "would ignore it)"),
            ("training:\n  optimizer: nadam\n  nesterov: true\n",
             "cfg/x.yaml:7: training.nesterov: applies to optimizer sgd only (this config's is nadam"),
            ("training:\n  optimizer: sgd\n  beta_1: 0.5\n",
             "cfg/x.yaml:7: training.beta_1: applies to optimizer adam and nadam only (this config's is sgd"),
            ("training:\n  optimizer: rmsprop\n  beta_2: 0.9\n", "cfg/x.yaml:7: training.beta_2: applies to optimizer adam"),
            ("training:\n  optimizer: sgd\n  epsilon: 0.01\n",
             "cfg/x.yaml:7: training.epsilon: applies to optimizer adam and nadam and rmsprop only"),
        ], prefix: layers)
        for optimizer in ["adam", "sgd", "rmsprop", "nadam"] {
            let c = try parseConfig(training: "{optimizer: \(optimizer), beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, "
                                    + "momentum: 0, nesterov: false}")
            XCTAssertEqual(try ExperimentConfig.parse(c.yaml(), file: "printed.yaml", defaultName: "x").yaml(), c.yaml())
        }
    }

    /// `optimizer: nadam` takes Adam's `beta_1`, `beta_2` and `epsilon` (no key of its own, so nothing
    /// new is printed), and the optimizer made carries them.
    func testNadamParsesPrintsAndReachesTheOptimizer() throws {
        let (c, o) = try optimizer(Nadam.self, "nadam", options: "learning_rate: 0.01, beta_1: 0.8, beta_2: 0.99, "
                                   + "epsilon: 0.001, clipnorm: 1, weight_decay: 0.1", from: try parseConfig())
        XCTAssertTrue(c.yaml().contains("  optimizer: nadam\n"), c.yaml())
        XCTAssertEqual([o.learningRate, o.beta1, o.beta2, o.epsilon, o.weightDecay], [0.01, 0.8, 0.99, 0.001, 0.1])
        XCTAssertEqual(o.clipping, .norm(1))
        assertConfigErrors([
            ("training:\n  optimizer: nadam\n  rho: 0.8\n",
             "cfg/x.yaml:7: training.rho: applies to optimizer rmsprop only (this config's is nadam)"),
        ], prefix: layers)
    }
}
