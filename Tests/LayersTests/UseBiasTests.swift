import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's `use_bias=False` on the layers that offer it: against Keras (Tests/Fixtures/
/// make_use_bias_fixtures.py), and through the fast paths Keras fixtures this small do not reach.
final class UseBiasTests: XCTestCase {
    private func layer(_ config: [String: Any]) throws -> any Layer {
        func pair(_ key: String) throws -> (Int, Int) {
            let v = try XCTUnwrap(config[key] as? [Int])
            return (v[0], v[1])
        }
        let activation = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["activation"] as? String)))
        let padding = config["padding"] as? String ?? "valid"
        switch try XCTUnwrap(config["kind"] as? String) {
        case "conv2d":
            return Conv2D(filters: try XCTUnwrap(config["filters"] as? Int), kernelSize: try pair("kernel_size"),
                          padding: try XCTUnwrap(Padding(rawValue: padding)), activation: activation, useBias: false)
        case "conv1d":
            return Conv1D(filters: try XCTUnwrap(config["filters"] as? Int),
                          kernelSize: try XCTUnwrap(config["kernel_size"] as? Int),
                          padding: try XCTUnwrap(SequencePadding(rawValue: padding)), activation: activation,
                          useBias: false)
        case "dense":
            return Dense(units: try XCTUnwrap(config["units"] as? Int), activation: activation, useBias: false)
        case "depthwise_conv2d":
            return DepthwiseConv2D(DepthwiseWindow(kernelSize: try pair("kernel_size"),
                                                   padding: try XCTUnwrap(Padding(rawValue: padding)),
                                                   depthMultiplier: try XCTUnwrap(config["depth_multiplier"] as? Int)),
                                   activation: activation, useBias: false)
        default:
            return SeparableConv2D(filters: try XCTUnwrap(config["filters"] as? Int),
                                   DepthwiseWindow(kernelSize: try pair("kernel_size"),
                                                   padding: try XCTUnwrap(Padding(rawValue: padding)),
                                                   depthMultiplier: try XCTUnwrap(config["depth_multiplier"] as? Int)),
                                   activation: activation, useBias: false)
        }
    }

    func testEveryLayerWithoutBiasMatchesKeras() throws {
        let expected = ["no_bias_conv2d": ["kernel"], "no_bias_conv1d": ["kernel"], "no_bias_dense": ["kernel"],
                        "no_bias_depthwise_conv2d": ["kernel"],
                        "no_bias_separable_conv2d": ["depthwise_kernel", "pointwise_kernel"]]
        for (name, weights) in expected.sorted(by: { $0.key < $1.key }) {
            let fixture = try Fixtures.load("layers/\(name).safetensors")
            let layer = try layer(try SequenceTestSupport.config(fixture))
            var rng = RandomGenerator(seed: 1)
            try layer.build(inputShape: Array(try fixture.tensor("x").shape.dropFirst()), using: &rng)
            XCTAssertEqual(layer.parameters.map(\.name), weights, name)
            try checkAgainstFixture(layer, fixture, name: name)
        }
    }

    /// A 3x3 ReLU convolution of 16 channels under a 2x2 pool (Winograd forward, its kernel and input
    /// gradients, and the pool fused into it) without a bias computes what the same layer with a zero
    /// bias computes, bit for bit, and never writes a bias gradient; its model has no bias weight.
    func testWinogradAndFusedPoolPathsWithoutBias() throws {
        func model(useBias: Bool) throws -> Sequential {
            try Sequential(inputShape: [9, 13, 16], layers: [
                Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu, useBias: useBias),
                Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu, useBias: useBias),
                MaxPool2D(poolSize: (2, 2)), Flatten(), Dense(units: 3, activation: .softmax, useBias: useBias)],
                seed: 7)
        }
        let (with, without) = (try model(useBias: true), try model(useBias: false))
        XCTAssertEqual(without.namedParameters.map(\.name), ["conv2d/kernel", "conv2d_1/kernel", "dense/kernel"])
        XCTAssertEqual(with.parameterCount - without.parameterCount, 16 + 16 + 3)
        var rng = RandomGenerator(seed: 8)
        let x = Tensor(shape: [4, 9, 13, 16], data: (0..<(4 * 9 * 13 * 16)).map { _ in rng.nextNormal() })
        let dy = Tensor(shape: [4, 3], data: (0..<12).map { _ in rng.nextNormal() })
        for m in [with, without] {
            _ = m.forward(x, training: true)
            m.zeroGrad()
            _ = m.backward(dy, preActivation: true)
        }
        XCTAssertEqual(without.forward(x, training: true).data, with.forward(x, training: true).data)
        for (a, b) in zip(without.parameters, with.parameters.filter { $0.name == "kernel" }) {
            XCTAssertEqual(a.grad.data, b.grad.data)
        }
        for layer in without.layers {
            if let conv = layer as? Conv2D { XCTAssertTrue(conv.bias.grad.data.allSatisfy { $0 == 0 }, conv.name) }
            if let dense = layer as? Dense { XCTAssertTrue(dense.bias.grad.data.allSatisfy { $0 == 0 }) }
        }
    }

    func testGradientsWithoutBias() throws {
        var rng = RandomGenerator(seed: 12)
        let layers: [any Layer] = [Conv2D(filters: 3, kernelSize: (2, 2), activation: .tanh, useBias: false),
                                   DepthwiseConv2D(DepthwiseWindow(depthMultiplier: 2), activation: .sigmoid,
                                                   useBias: false),
                                   SeparableConv2D(filters: 2, DepthwiseWindow(padding: .same), useBias: false)]
        for layer in layers {
            try layer.build(inputShape: [5, 4, 2], using: &rng)
            let x = Tensor(shape: [2, 5, 4, 2], data: (0..<80).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 12)
        }
    }
}
