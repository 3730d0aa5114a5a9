import Layers
import Pipeline
import XCTest

/// `training.weight_decay`, gradient clipping and `label_smoothing`: decoding, printing only when set,
/// and the optimizer they give.
final class OptimizerConfigTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func testWeightDecayParsesPrintsOnlyWhenSetAndReachesTheOptimizer() throws {
        let plain = try ExperimentConfig.parse(layers, file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(plain.training.weightDecay, 0)
        XCTAssertFalse(plain.yaml().contains("weight_decay"))
        XCTAssertEqual((plain.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.weightDecay, 0)

        let c = try ExperimentConfig.parse(layers + "training: {weight_decay: 0.01}\n", file: "cfg/x.yaml",
                                           defaultName: "x")
        XCTAssertEqual(c.training.weightDecay, 0.01)
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  weight_decay: 0.01\nsplit:\n"), c.yaml())
        var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        back.source = c.source
        XCTAssertEqual(back, c)
        XCTAssertNotEqual(c.configHash, plain.configHash)
        XCTAssertEqual((c.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.weightDecay, 0.01)
        let sgd = try ExperimentConfig.parse(layers + "training: {optimizer: sgd, weight_decay: 0.5}\n",
                                             file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual((sgd.training.makeOptimizer(stepsPerEpoch: 1) as? SGD)?.weightDecay, 0.5)

        XCTAssertThrowsError(try ExperimentConfig.parse(layers + "training:\n  weight_decay: -0.1\n",
                                                        file: "cfg/x.yaml", defaultName: "x")) {
            XCTAssertTrue("\($0)".hasPrefix("cfg/x.yaml:6: training.weight_decay"), "\($0)")
        }
    }

    func testClippingKeysParsePrintAndAreExclusive() throws {
        let plain = try ExperimentConfig.parse(layers, file: "cfg/x.yaml", defaultName: "x")
        XCTAssertNil(plain.training.clipping)
        for (key, clipping) in [("clipnorm", GradientClipping.norm(1.5)), ("global_clipnorm", .globalNorm(1.5)),
                                ("clipvalue", .value(1.5))] {
            let c = try ExperimentConfig.parse(layers + "training: {\(key): 1.5}\n", file: "cfg/x.yaml", defaultName: "x")
            XCTAssertEqual(c.training.clipping, clipping, key)
            XCTAssertTrue(c.yaml().contains("  seed: 0\n  \(key): 1.5\nsplit:\n"), c.yaml())
            var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
            back.source = c.source
            XCTAssertEqual(back, c, key)
            XCTAssertNotEqual(c.configHash, plain.configHash, key)
            XCTAssertEqual((c.training.makeOptimizer(stepsPerEpoch: 1) as? Adam)?.clipping, clipping, key)
        }
        let bad: [(String, String)] = [
            ("training:\n  clipnorm: 1\n  clipvalue: 0.5\n",
             "cfg/x.yaml:7: training.clipvalue: only one of clipnorm, global_clipnorm and clipvalue can be set"),
            ("training:\n  clipnorm: 0\n", "cfg/x.yaml:6: training.clipnorm"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try ExperimentConfig.parse(layers + text, file: "cfg/x.yaml", defaultName: "x"), text) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }

    func testLabelSmoothingParsesPrintsOnlyWhenSetAndIsChecked() throws {
        let plain = try ExperimentConfig.parse(layers, file: "cfg/x.yaml", defaultName: "x")
        XCTAssertEqual(plain.training.labelSmoothing, 0)
        XCTAssertFalse(plain.yaml().contains("label_smoothing"))
        let c = try ExperimentConfig.parse(layers + "training: {label_smoothing: 0.1}\n", file: "cfg/x.yaml",
                                           defaultName: "x")
        XCTAssertEqual(c.training.labelSmoothing, 0.1)
        XCTAssertTrue(c.yaml().contains("  seed: 0\n  label_smoothing: 0.1\nsplit:\n"), c.yaml())
        var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        back.source = c.source
        XCTAssertEqual(back, c)
        XCTAssertNotEqual(c.configHash, plain.configHash)
        let bad: [(String, String)] = [
            (layers + "training:\n  label_smoothing: 1\n", "cfg/x.yaml:6: training.label_smoothing"),
            (layers + "training:\n  label_smoothing: -0.1\n", "cfg/x.yaml:6: training.label_smoothing"),
            ("model: {kind: random_forest}\ntraining:\n  label_smoothing: 0.1\n",
             "cfg/x.yaml:3: training.label_smoothing: does not apply to a random forest (it has no loss to smooth)"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try ExperimentConfig.parse(text, file: "cfg/x.yaml", defaultName: "x"), text) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }
}
