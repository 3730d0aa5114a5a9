import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's `dilation_rate` on Conv1D and Conv2D: against Keras fixtures (Tests/Fixtures/
/// make_dilation_fixtures.py), finite differences, and kept away from the undilated fast paths.
final class DilationTests: XCTestCase {
    private func layer(_ config: [String: Any]) throws -> any Layer {
        let activation = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["activation"] as? String)))
        let filters = try XCTUnwrap(config["filters"] as? Int), padding = try XCTUnwrap(config["padding"] as? String)
        if try XCTUnwrap(config["kind"] as? String) == "conv1d" {
            return Conv1D(filters: filters, kernelSize: try XCTUnwrap(config["kernel_size"] as? Int),
                          padding: try XCTUnwrap(SequencePadding(rawValue: padding)), activation: activation,
                          dilationRate: try XCTUnwrap(config["dilation_rate"] as? Int))
        }
        let k = try XCTUnwrap(config["kernel_size"] as? [Int]), d = try XCTUnwrap(config["dilation_rate"] as? [Int])
        return Conv2D(filters: filters, kernelSize: (k[0], k[1]), padding: try XCTUnwrap(Padding(rawValue: padding)),
                      activation: activation, dilationRate: (d[0], d[1]))
    }

    private func checkFixture(_ name: String, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let layer = try layer(try SequenceTestSupport.config(fixture))
        var rng = RandomGenerator(seed: 1)
        let inputShape = Array(try fixture.tensor("x").shape.dropFirst())
        try layer.build(inputShape: inputShape, using: &rng)
        XCTAssertEqual(try layer.outputShape(for: inputShape), Array(try fixture.tensor("y").shape.dropFirst()),
                       line: line)
        try checkAgainstFixture(layer, fixture, name: name, line: line)
    }

    func testConv1DCausalDilation2MatchesKeras() throws { try checkFixture("conv1d_causal_dilation2") }
    func testConv1DSameDilation3EvenKernelMatchesKeras() throws { try checkFixture("conv1d_same_dilation3") }
    func testConv1DValidDilation2MatchesKeras() throws { try checkFixture("conv1d_valid_dilation2") }
    func testConv2DSameDilation2MatchesKeras() throws { try checkFixture("conv2d_same_dilation2") }
    func testConv2DValidDilation1By3MatchesKeras() throws { try checkFixture("conv2d_valid_dilation_1_3") }

    func testShapesAndErrors() throws {
        XCTAssertEqual(try Conv1D(filters: 2, kernelSize: 3, dilationRate: 4).outputShape(for: [20, 3]), [12, 2])
        XCTAssertEqual(try Conv1D(filters: 2, kernelSize: 3, padding: .causal, dilationRate: 4).outputShape(for: [20, 3]),
                       [20, 2])
        XCTAssertEqual(try Conv2D(filters: 2, kernelSize: (3, 3), padding: .same, dilationRate: (2, 3))
                        .outputShape(for: [9, 13, 1]), [9, 13, 2])
        XCTAssertEqual(try Conv2D(filters: 2, kernelSize: (3, 3), dilationRate: (2, 3)).outputShape(for: [9, 13, 1]),
                       [5, 7, 2])
        XCTAssertThrowsError(try Conv1D(filters: 2, kernelSize: 3, strides: 2, dilationRate: 2).outputShape(for: [20, 3])) {
            XCTAssertTrue("\($0)".contains("a dilated kernel takes strides 1"), "\($0)")
        }
        XCTAssertThrowsError(try Conv2D(filters: 2, kernelSize: (3, 3), strides: (1, 2), dilationRate: (2, 1))
                                .outputShape(for: [9, 13, 1])) {
            XCTAssertTrue("\($0)".contains("a dilated kernel takes strides 1"), "\($0)")
        }
        XCTAssertThrowsError(try Conv2D(filters: 2, kernelSize: (3, 3), dilationRate: (5, 1)).outputShape(for: [9, 13, 1])) {
            XCTAssertTrue("\($0)".contains("empty output"), "\($0)")
        }
        XCTAssertThrowsError(try Conv1D(filters: 2, kernelSize: 3, dilationRate: 0).outputShape(for: [20, 3]))
    }

    func testGradients() throws {
        var rng = RandomGenerator(seed: 41)
        let layers: [(any Layer, [Int])] = [
            (Conv1D(filters: 3, kernelSize: 3, padding: .causal, activation: .tanh, dilationRate: 2), [12, 2]),
            (Conv1D(filters: 2, kernelSize: 2, padding: .same, dilationRate: 3), [10, 2]),
            (Conv2D(filters: 3, kernelSize: (3, 2), padding: .same, activation: .sigmoid, dilationRate: (2, 3)), [7, 8, 2]),
            (Conv2D(filters: 2, kernelSize: (2, 2), dilationRate: (3, 1)), [7, 5, 2])]
        for (layer, shape) in layers {
            try layer.build(inputShape: shape, using: &rng)
            let x = Tensor(shape: [2] + shape, data: (0..<(2 * shape.reduce(1, *))).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 16)
        }
    }

    /// A dilated 3x3 convolution of 16 channels (which Winograd would take undilated) and a dilated
    /// one-channel convolution of 16 filters (the single-channel kernels' case) give what the plain
    /// im2col path gives, bit for bit, forward and backward.
    func testFastPathsStayOffForDilatedKernels() throws {
        for (channels, filters) in [(16, 16), (1, 16)] {
            var results: [[[Float]]] = []
            for fastPaths in [true, false] {
                var rng = RandomGenerator(seed: 43)
                let layer = Conv2D(filters: filters, kernelSize: (3, 3), padding: .same, activation: .relu,
                                   dilationRate: (2, 2))
                layer.winogradEnabled = fastPaths
                layer.singleChannelKernelsEnabled = fastPaths
                try layer.build(inputShape: [8, 12, channels], using: &rng)
                let x = Tensor(shape: [2, 8, 12, channels], data: (0..<(192 * channels)).map { _ in rng.nextNormal() })
                let y = layer.forward(x, training: true).data
                let dx = layer.backward(Tensor(shape: [2, 8, 12, filters], data: y.map { $0 - 0.1 })).data
                results.append([y, dx, layer.kernel.grad.data])
            }
            XCTAssertEqual(results[0], results[1], "\(channels) channels")
        }
    }
}
