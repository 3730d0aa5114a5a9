import Layers
import Tensor
import TestSupport
import XCTest

/// The `Activation` layer against Keras 3 (Tests/Fixtures/make_activation_layer_fixtures.py) and by
/// finite differences; the activations' own values at their kinks are ActivationKerasTests'.
final class ActivationLayerTests: XCTestCase {
    private func checkFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let config = try SequenceTestSupport.config(fixture)
        let activation = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["activation"] as? String)))
        let layer = ActivationLayer(activation)
        let x = try fixture.tensor("x")
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
        XCTAssertTrue(layer.parameters.isEmpty, file: file, line: line)
        try checkAgainstFixture(layer, fixture, name: name, file: file, line: line)
    }

    /// Keras's softmax on an image is over each pixel's channels (the last axis).
    func testSoftmaxOverTheChannelsOfEachPixelMatchesKeras() throws { try checkFixture("activation_softmax_image") }
    func testTanhOnSequencesMatchesKeras() throws { try checkFixture("activation_tanh_sequence") }
    func testReLUOnRowsMatchesKeras() throws { try checkFixture("activation_relu_rows") }

    func testGradients() throws {
        for (index, activation) in [Activation.softmax, .selu, .sigmoid, .softplus].enumerated() {
            var rng = RandomGenerator(seed: 30 + UInt64(index))
            // at least 0.1 from 0, where selu's derivative jumps: a central difference across it is no derivative
            let x = Tensor(shape: [2, 3, 2, 4], data: (0..<48).map { _ in
                let v = rng.nextNormal()
                return v + (v < 0 ? -0.1 : 0.1)
            })
            checkGradients(ActivationLayer(activation), input: x, coordinates: 16)
        }
    }

    /// The input (another layer's buffer) is never written; `linear` passes x and dy through untouched.
    func testInputIsLeftAsItWasAndLinearPassesThrough() throws {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor(shape: [2, 5], data: (0..<10).map { _ in rng.nextNormal() })
        let before = x.data
        let y = ActivationLayer(.relu).forward(x, training: true)
        XCTAssertEqual(x.data, before)
        XCTAssertEqual(y.data, before.map { max($0, 0) })
        let linear = ActivationLayer(.linear)
        XCTAssertEqual(linear.forward(x, training: true).data, before)
        XCTAssertEqual(linear.backward(x).data, before)
        XCTAssertEqual(try ActivationLayer(.tanh).outputShape(for: [9, 13, 4]), [9, 13, 4])
        XCTAssertThrowsError(try ActivationLayer(.tanh).outputShape(for: []))
    }

    /// After a batch normalization in a model: Keras's names, no parameters, buffers reused.
    func testInAModelAfterBatchNormalization() throws {
        let model = try Sequential(inputShape: [9, 13, 1], layers: [
            Conv2D(filters: 4, kernelSize: (3, 3), padding: .same), BatchNormalization(),
            ActivationLayer(.relu), Flatten(), Dense(units: 3), ActivationLayer(.tanh), Dense(units: 2, activation: .softmax)])
        XCTAssertEqual(model.layers.map(\.name), ["conv2d", "batch_normalization", "activation", "flatten", "dense",
                                                  "activation_1", "dense_1"])
        XCTAssertEqual(model.layers[2].parameterCount, 0)
        var rng = RandomGenerator(seed: 4)
        let x = Tensor(shape: [2, 9, 13, 1], data: (0..<234).map { _ in rng.nextNormal() })
        let first = SequenceTestSupport.address(model.forward(x, training: true))
        _ = model.backward(Tensor(shape: [2, 2], repeating: 1))
        XCTAssertEqual(SequenceTestSupport.address(model.forward(x, training: true)), first)
    }
}
