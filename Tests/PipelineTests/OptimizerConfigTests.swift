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
}
