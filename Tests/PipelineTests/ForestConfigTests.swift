import Classical
import Foundation
import Pipeline
import TestSupport
import XCTest

/// `model: {kind: random_forest, ...}`: decoding, defaults, canonical printing and mistakes.
final class ForestConfigTests: XCTestCase {
    func parse(_ text: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(text, file: "cfg/f.yaml", defaultName: "f")
    }

    func testShippedForestConfigDecodesAndPrintsBack() throws {
        let c = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("forest.yaml"))
        XCTAssertEqual(c.model.kind, .randomForest)
        XCTAssertEqual(c.model.forest.nEstimators, 200)
        XCTAssertNil(c.model.forest.maxDepth)
        XCTAssertEqual(c.model.forest.maxFeatures, .sqrt)
        XCTAssertEqual(c.model.forest.classWeight, .balanced)
        let printed = c.yaml()
        XCTAssertTrue(printed.contains("""
            model:
              kind: random_forest
              n_estimators: 200
              max_depth: none
              max_features: sqrt
              min_samples_split: 2
              min_samples_leaf: 1
              bootstrap: true
              class_weight: balanced
            training:
            """), printed)
        XCTAssertEqual(try parse(printed), { var b = c; b.source = "cfg/f.yaml"; return b }())
    }

    func testShippedDescriptorNetworkBuilds() throws {
        let c = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("descriptors_mlp.yaml"))
        XCTAssertEqual(c.model.input, .descriptors)
        XCTAssertEqual(c.inputShape, [38])
        // 38 -> 64 -> 32 -> 3: 2,496 + 2,080 + 99
        XCTAssertEqual(try c.makeModel(classes: 3, seed: 0).parameterCount, 4_675)
        XCTAssertTrue(c.yaml().contains("  input: descriptors\n"))
    }

    func testEveryKeyDecodes() throws {
        let c = try parse("""
            model: {kind: random_forest, n_estimators: 7, max_depth: 4, max_features: 0.5, min_samples_split: 3,
                    min_samples_leaf: 2, bootstrap: false, class_weight: balanced_subsample}
            training: {seed: 9}
            """)
        let p = c.model.forest.parameters(seed: c.training.seed)
        XCTAssertEqual(p, ForestParameters(nEstimators: 7, maxDepth: 4, minSamplesSplit: 3, minSamplesLeaf: 2,
                                           maxFeatures: .fraction(0.5), bootstrap: false,
                                           classWeight: .balancedSubsample, seed: 9))
        XCTAssertEqual(try parse("model: {kind: random_forest, max_features: 5}").model.forest.maxFeatures, .count(5))
        XCTAssertEqual(try parse("model: {kind: random_forest, max_features: none}").model.forest.maxFeatures, .all)
        // a network config says nothing of its kind: the printed text of the shipped ones is unchanged
        let network = try parse("model: {kind: network, layers: [{flatten: {}}]}")
        XCTAssertEqual(network.model.kind, .network)
        XCTAssertFalse(network.yaml().contains("kind: network"))
    }

    func testMistakesNameTheKey() {
        func fails(_ text: String, _ parts: [String], line: UInt = #line) {
            XCTAssertThrowsError(try parse(text), line: line) { error in
                let message = String(describing: error)
                for p in parts { XCTAssertTrue(message.contains(p), "\(message) lacks \(p)", line: line) }
            }
        }
        fails("model: {kind: forest}", ["model.kind", "'forest' is not one of network, random_forest"])
        fails("model: {kind: random_forest, n_estimators: 0}", ["model.n_estimators", "out of range"])
        fails("model: {kind: random_forest, max_depth: deep}", ["model.max_depth", "expected an integer"])
        fails("model: {kind: random_forest, max_features: 1.5}", ["model.max_features", "fraction"])
        fails("model: {kind: random_forest, max_features: 0}", ["model.max_features"])
        fails("model: {kind: random_forest, class_weight: heavy}", ["model.class_weight", "balanced_subsample"])
        fails("model: {kind: random_forest, layers: [{flatten: {}}]}", ["model.layers", "unknown key"])
        fails("model: {n_estimators: 5, layers: [{flatten: {}}]}", ["model.n_estimators", "unknown key"])
        fails("model: {kind: random_forest, min_samples_leaf: 0}", ["model.min_samples_leaf", "out of range"])
        // what a forest would ignore: the optimizer's settings and the networks' class weights (at their
        // defaults they are accepted, as a printed config holds them)
        let forest = "model: {kind: random_forest}\n"
        fails(forest + "training: {optimizer: sgd}", ["training.optimizer", "does not apply to a random forest"])
        fails(forest + "training: {learning_rate: 0.01}", ["training.learning_rate", "does not apply"])
        fails(forest + "training: {weight_decay: 0.1}", ["training.weight_decay", "no weights to decay"])
        fails(forest + "training: {momentum: 0.9}", ["training.momentum", "does not apply to a random forest"])
        fails(forest + "training: {clipnorm: 1}", ["training.clipnorm", "no gradients"])
        fails(forest + "training: {class_weight: {a: 1, b: 2}}", ["training.class_weight", "model.class_weight"])
        XCTAssertNoThrow(try parse(forest + "training: {optimizer: adam, learning_rate: 0.001, momentum: 0.0, "
                                   + "class_weight: balanced, seed: 3}"))
    }
}
