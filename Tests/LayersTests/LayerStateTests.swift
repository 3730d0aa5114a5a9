import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

final class LayerStateTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try makeTemporaryFolder("earmark-state") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static func model(seed: UInt64) throws -> Sequential { try MovingMeanLayer.model(seed: seed) }
    static func moveState(_ model: Sequential) { MovingMeanLayer.moveState(model) }

    func testStateIsNamedLikeWeightsAndNotAParameter() throws {
        let model = try Self.model(seed: 1)
        XCTAssertEqual(model.namedState.map(\.name), ["moving_mean_layer/moving_mean"])
        XCTAssertEqual(model.state.map(\.value.shape), [[4]])
        XCTAssertFalse(model.namedParameters.map(\.name).contains { $0.contains("moving_mean") })
        XCTAssertEqual(model.parameterCount, 3 * 4 + 4 + 4 * 2 + 2)
        XCTAssertTrue(Dense(units: 2).state.isEmpty)
        let inner = MovingMeanLayer()
        XCTAssertEqual(TimeDistributed(inner).state.count, 1)
        XCTAssertTrue(TimeDistributed(inner).state[0] === inner.movingMean)
    }

    func testSaveLoadRoundTripCarriesState() throws {
        let model = try Self.model(seed: 1)
        Self.moveState(model)
        let saved = model.state[0].value
        XCTAssertNotEqual(saved, Tensor(shape: [4], repeating: 0))
        let url = folder.appendingPathComponent("m.safetensors")
        try WeightFile.save(model, optimizerState: ["adam/iterations": Tensor(shape: [1], data: [3])], to: url)
        let contents = try WeightFile.read(url)
        XCTAssertEqual(contents.weights["moving_mean_layer/moving_mean"], saved)
        let other = try Self.model(seed: 2)
        try WeightFile.assign(contents.weights, to: other, source: url.path)
        XCTAssertEqual(other.state[0].value, saved)
        for (a, b) in zip(other.parameters, model.parameters) { XCTAssertEqual(a.value, b.value) }
    }

    func testMissingMisshapenOrNonFiniteStateIsRefused() throws {
        let model = try Self.model(seed: 1)
        let url = folder.appendingPathComponent("s.safetensors")
        try WeightFile.save(model, to: url)
        var weights = try WeightFile.read(url).weights
        let name = "moving_mean_layer/moving_mean"
        weights[name] = Tensor(shape: [5], repeating: 0)
        assertRejected({ try WeightFile.assign(weights, to: model, source: "s.safetensors") },
                       ["s.safetensors", "non-trainable weight '\(name)'", "[5]", "[4]"])
        weights[name] = nil
        assertRejected({ try WeightFile.assign(weights, to: model, source: "s.safetensors") },
                       ["s.safetensors", "no non-trainable weight '\(name)'"])
        // a file from a model without the state layer cannot load into one with it, and the other way round
        let plain = try Sequential(inputShape: [3], layers: [Dense(units: 4), Dense(units: 2)], seed: 1)
        try WeightFile.save(plain, to: url)
        assertRejected({ try WeightFile.assign(try WeightFile.read(url).weights, to: model, source: "s.safetensors") },
                       ["no non-trainable weight '\(name)'"])
        try WeightFile.save(model, to: url)
        assertRejected({ try WeightFile.assign(try WeightFile.read(url).weights, to: plain, source: "s.safetensors") },
                       ["has weight '\(name)' that the model does not have"])
        model.state[0].value.data[1] = .nan
        try WeightFile.save(model, to: url)
        assertRejected({ _ = try WeightFile.read(url) }, [name, "NaN"])
    }

    func assertRejected(_ body: () throws -> Void, _ fragments: [String], file: StaticString = #filePath,
                        line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = String(describing: error)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", file: file, line: line) }
        }
    }
}

extension LayerStateTests {
    func testAssignWeightsCopiesParametersAndState() throws {
        let source = try Self.model(seed: 1), target = try Self.model(seed: 2)
        Self.moveState(source)
        target.assignWeights(from: source)
        XCTAssertEqual(target.parameters.map(\.value), source.parameters.map(\.value))
        XCTAssertEqual(target.state.map(\.value), source.state.map(\.value))
        XCTAssertNotEqual(target.state[0].value, try Self.model(seed: 1).state[0].value, "the moved state was copied")
    }
}
