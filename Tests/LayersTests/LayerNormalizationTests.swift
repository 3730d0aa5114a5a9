import Layers
import Tensor
import TestSupport
import XCTest

final class LayerNormalizationTests: XCTestCase {
    // MARK: tier 1: Keras fixtures (Tests/Fixtures/make_layernorm_fixtures.py)

    /// Descriptor rows around 50 with a spread of 3: the deviations survive the offset.
    func testRowsMatchKeras() throws {
        try checkLayerFixture(LayerNormalization(), "layernorm_rows")
    }

    func testSequenceWithEpsilonMatchesKeras() throws {
        try checkLayerFixture(LayerNormalization(epsilon: 0.01), "layernorm_sequence")
    }

    func testImageWithoutCenterMatchesKeras() throws {
        try checkLayerFixture(LayerNormalization(center: false), "layernorm_image_no_center")
    }

    func testSequenceWithoutScaleMatchesKeras() throws {
        try checkLayerFixture(LayerNormalization(scale: false), "layernorm_sequence_no_scale")
    }

    // MARK: tier 2: finite differences

    func testGradients() throws {
        for (i, layer) in [LayerNormalization(), LayerNormalization(center: false),
                           LayerNormalization(epsilon: 0.1, scale: false)].enumerated() {
            let built = try built(layer, [3, 5], seed: UInt64(7 + i))
            for p in built.parameters {   // away from the initial ones and zeros, so that every term shows
                for j in p.value.data.indices { p.value.data[j] += Float(j % 3) * 0.3 - 0.2 }
            }
            checkGradients(built, input: randomTensor([2, 3, 5], seed: UInt64(17 + i)))
        }
    }

    // MARK: behaviour, shapes, names

    /// Each row is standardised on its own: the same row gives the same output whatever the batch
    /// holds, in training and at inference.
    func testRowsAreIndependentOfTheBatch() throws {
        let layer = try built(LayerNormalization(), [4])
        let row: [Float] = [1, 2, 4, 9]
        let alone = layer.forward(Tensor(shape: [1, 4], data: row), training: true).data
        let inBatch = layer.forward(Tensor(shape: [2, 4], data: row + [100, -3, 7, 0.5]), training: false).data
        XCTAssertEqual(Array(inBatch[0..<4]), alone)
        let mean: Float = 4, deviation = ((9 + 4 + 0 + 25) / 4 + 0.001 as Float).squareRoot()
        assertClose(alone, row.map { ($0 - mean) / deviation }, tolerance: 1e-6, "standardised row")
    }

    func testShapesNamesAndWeights() throws {
        let layer = try built(LayerNormalization(), [9, 13, 4])
        XCTAssertEqual(layer.name, "layer_normalization")
        XCTAssertEqual(layer.kind, "LayerNormalization")
        XCTAssertEqual(layer.parameters.map(\.name), ["gamma", "beta"])
        XCTAssertEqual(layer.gamma.value.data, [1, 1, 1, 1])
        XCTAssertEqual(layer.beta.value.data, [0, 0, 0, 0])
        XCTAssertEqual(try layer.outputShape(for: [9, 13, 4]), [9, 13, 4])
        XCTAssertEqual(LayerNormalization(center: false).parameters.map(\.name), ["gamma"])
        XCTAssertEqual(LayerNormalization(scale: false).parameters.map(\.name), ["beta"])
        XCTAssertThrowsError(try LayerNormalization().outputShape(for: [9, 0])) { error in
            XCTAssertEqual("\(error)", "layer_normalization (LayerNormalization): input shape [9, 0] needs at "
                           + "least one axis, all positive")
        }
    }
}
