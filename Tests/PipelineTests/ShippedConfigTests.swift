import Foundation
import Pipeline
import TestSupport
import XCTest

/// Every shipped cfg/*.yaml: it opens with a comment saying what it is for, parses, prints back to
/// itself, and builds its model (a network for 2 and 3 classes; a forest's settings decode).
final class ShippedConfigTests: XCTestCase {
    /// The .yaml files in cfg/, sorted.
    func shippedFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: ConfigTests.cfg, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryShippedConfigParsesAndBuildsItsModel() throws {
        let files = try shippedFiles()
        let names = Set(files.map { $0.deletingPathExtension().lastPathComponent })
        XCTAssertTrue(names.isSuperset(of: ["conv", "time", "clip_cnn", "clip_gru", "forest", "descriptors_mlp",
                                               "condition_forest", "condition_mlp", "envelope_cnn"]),
                      "\(names.sorted())")
        for url in files {
            let name = url.lastPathComponent
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("# "), "\(name) must open with a comment saying what it is for")
            let config = try ExperimentConfig.load(contentsOf: url)
            var back = try ExperimentConfig.parse(config.yaml(), file: "printed", defaultName: "x")
            back.source = config.source
            XCTAssertEqual(back, config, "\(name) prints back to the same config")
            switch config.model.kind {
            case .network:
                for classes in [2, 3] {
                    let model = try config.makeModel(classes: classes, seed: 0)
                    XCTAssertGreaterThan(model.parameterCount, 0, name)
                }
            case .randomForest:
                XCTAssertGreaterThan(config.model.forest.nEstimators, 0, name)
            }
        }
    }

    func testTheClipConfigsReadWholeClipsOfLogMelFrames() throws {
        for name in ["clip_cnn", "clip_gru"] {
            let c = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("\(name).yaml"))
            XCTAssertEqual(c.features.kind, .logmel, name)
            XCTAssertEqual(c.features.input, .clip, name)
            XCTAssertEqual(c.features.scaling, .standard, name)
        }
    }

    func testTheConditionForestReadsConditionDescriptorsOnly() throws {
        let url = ConfigTests.cfg.appendingPathComponent("condition_forest.yaml")
        let c = try ExperimentConfig.load(contentsOf: url)
        XCTAssertEqual(c.model.kind, .randomForest)
        XCTAssertEqual(c.features.descriptorSets, [.condition])
        XCTAssertEqual(DescriptorTable.columns(for: c.features).count, 24)
    }

    /// The envelope network reads the 50 x 200 map of envelope lines as an image through a reshape,
    /// convolves along the modulation frequency only, and keeps the last epoch (no validation parts).
    func testTheEnvelopeNetworkReadsTheMapAsAnImage() throws {
        let c = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("envelope_cnn.yaml"))
        XCTAssertEqual(c.features.descriptorSets, [.envelopeLines])
        XCTAssertEqual(c.inputShape, [10_000])
        XCTAssertEqual(c.split.validation, 0)
        let model = try c.makeModel(classes: 2, seed: 0)
        XCTAssertEqual(model.layers.first?.kind, "Reshape")
        XCTAssertEqual(try model.layers[0].outputShape(for: [10_000]), [50, 200, 1])
        XCTAssertEqual(model.outputShape, [2])
    }

    /// The network counterpart reads the same 24 columns, standardised, and drops some of them in
    /// training (the regularisation docs/ACCURACY.md chose it for); at inference it is the identity.
    /// Its saved epoch and learning rate follow the development sets' choice.
    func testTheConditionNetworkReadsTheForestsDescriptorsThroughInputDropout() throws {
        let network = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("condition_mlp.yaml"))
        let forest = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("condition_forest.yaml"))
        XCTAssertEqual(network.model.kind, .network)
        XCTAssertEqual(network.model.input, .descriptors)
        XCTAssertEqual(network.features.descriptorSets, forest.features.descriptorSets)
        XCTAssertEqual(DescriptorTable.columns(for: network.features), DescriptorTable.columns(for: forest.features))
        XCTAssertEqual(network.split.validation, 0.2)
        let model = try network.makeModel(classes: 2, seed: 0)
        XCTAssertEqual(model.layers.first?.kind, "Dropout")
        XCTAssertEqual(model.layers.last?.kind, "Dense")
        // the epoch kept is the lowest validation loss's, and the rate falls by a cosine to 0 at the last
        // update of the 200 epochs (docs/ACCURACY.md, "condition_mlp, second step")
        XCTAssertEqual(network.training.modelCheckpoint, ModelCheckpoint(monitor: .valLoss))
        let schedule = try XCTUnwrap(network.training.makeOptimizer(stepsPerEpoch: 10).schedule)
        XCTAssertEqual(schedule, .cosineDecay(initial: 0.001, decaySteps: 2000, alpha: 0, warmupTarget: nil, warmupSteps: 0))
    }
}
