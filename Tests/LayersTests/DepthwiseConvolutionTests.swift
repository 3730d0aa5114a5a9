import Layers
import Tensor
import TestSupport
import XCTest

/// DepthwiseConv2D and SeparableConv2D against Keras 3 (and PyTorch for unequal strides, which
/// TensorFlow's depthwise kernel refuses): Tests/Fixtures/make_depthwise_fixtures.py.
final class DepthwiseConvolutionTests: XCTestCase {
    // MARK: tier 1: fixtures

    /// The layer a fixture describes, built on the fixture's input shape.
    private func layer(for fixture: SafeTensors.File) throws -> any Layer {
        let config = try SequenceTestSupport.config(fixture)
        let size = try XCTUnwrap(config["kernel_size"] as? [Int]), strides = try XCTUnwrap(config["strides"] as? [Int])
        let padding = try XCTUnwrap(Padding(rawValue: try XCTUnwrap(config["padding"] as? String)))
        let activation = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["activation"] as? String)))
        let window = DepthwiseWindow(kernelSize: (size[0], size[1]), strides: (strides[0], strides[1]), padding: padding,
                                     depthMultiplier: try XCTUnwrap(config["depth_multiplier"] as? Int))
        let layer: any Layer
        if try XCTUnwrap(config["kind"] as? String) == "depthwise" {
            layer = DepthwiseConv2D(window, activation: activation)
        } else {
            layer = SeparableConv2D(filters: try XCTUnwrap(config["filters"] as? Int), window, activation: activation)
        }
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(try fixture.tensor("x").shape.dropFirst()), using: &rng)
        return layer
    }

    private func checkFixture(_ name: String, weights: [String], file: StaticString = #filePath,
                              line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let layer = try layer(for: fixture)
        XCTAssertEqual(layer.parameters.map(\.name), weights, file: file, line: line)
        XCTAssertEqual(try layer.outputShape(for: Array(try fixture.tensor("x").shape.dropFirst())),
                       Array(try fixture.tensor("y").shape.dropFirst()), file: file, line: line)
        try checkAgainstFixture(layer, fixture, name: name, file: file, line: line)
    }

    func testDepthwiseMatchesKerasValid() throws {
        try checkFixture("depthwise_valid", weights: ["kernel", "bias"])
    }

    func testDepthwiseMatchesKerasSameStride2Multiplier2() throws {
        try checkFixture("depthwise_same_multiplier2", weights: ["kernel", "bias"])
    }

    func testDepthwiseMatchesKerasSameEvenKernelMultiplier3() throws {
        try checkFixture("depthwise_same_even_kernel", weights: ["kernel", "bias"])
    }

    /// Strides (2, 1): PyTorch's grouped convolution (the script first checks that PyTorch reproduces a Keras case).
    func testDepthwiseMatchesPyTorchUnequalStrides() throws {
        try checkFixture("depthwise_valid_strides_2_1", weights: ["kernel", "bias"])
    }

    func testSeparableMatchesKerasSame() throws {
        try checkFixture("separable_same", weights: ["depthwise_kernel", "pointwise_kernel", "bias"])
    }

    func testSeparableMatchesKerasValidStride2Multiplier2() throws {
        try checkFixture("separable_valid_multiplier2", weights: ["depthwise_kernel", "pointwise_kernel", "bias"])
    }

    /// Output channel c*M + m reads input channel c only: a change in channel 1 of the input moves
    /// output channels 2 and 3 (multiplier 2) and leaves 0, 1, 4 and 5 as they were.
    func testOutputChannelsReadOnlyTheirInputChannel() throws {
        var rng = RandomGenerator(seed: 5)
        let layer = DepthwiseConv2D(DepthwiseWindow(padding: .same, depthMultiplier: 2))
        try layer.build(inputShape: [4, 5, 3], using: &rng)
        let x = Tensor(shape: [1, 4, 5, 3], data: (0..<60).map { _ in rng.nextNormal() })
        var changed = x
        for pixel in 0..<20 { changed.data[pixel * 3 + 1] += 1 }
        let y = layer.forward(x, training: false).data
        let yChanged = layer.forward(changed, training: false).data
        for pixel in 0..<20 {
            for channel in 0..<6 {
                let same = y[pixel * 6 + channel] == yChanged[pixel * 6 + channel]
                XCTAssertEqual(same, channel != 2 && channel != 3, "pixel \(pixel), channel \(channel)")
            }
        }
    }

    // MARK: shapes, initialisation, products

    func testShapesAndErrors() throws {
        XCTAssertEqual(try DepthwiseConv2D(DepthwiseWindow()).outputShape(for: [9, 13, 4]), [7, 11, 4])
        XCTAssertEqual(try DepthwiseConv2D(DepthwiseWindow(strides: (2, 2), padding: .same, depthMultiplier: 3))
                        .outputShape(for: [9, 13, 4]), [5, 7, 12])
        XCTAssertEqual(try SeparableConv2D(filters: 8, DepthwiseWindow(padding: .same)).outputShape(for: [9, 13, 4]),
                       [9, 13, 8])
        XCTAssertEqual(try SeparableConv2D(filters: 8, DepthwiseWindow(kernelSize: (2, 3), strides: (2, 1))).outputShape(for: [9, 13, 4]),
                       [4, 11, 8])
        XCTAssertThrowsError(try DepthwiseConv2D(DepthwiseWindow(kernelSize: (10, 3))).outputShape(for: [9, 13, 4])) { error in
            XCTAssertTrue("\(error)".contains("empty output"), "\(error)")
        }
        XCTAssertThrowsError(try SeparableConv2D(filters: 4, DepthwiseWindow()).outputShape(for: [9, 13])) { error in
            XCTAssertTrue("\(error)".contains("(height, width, channels)"), "\(error)")
        }
        XCTAssertThrowsError(try DepthwiseConv2D(DepthwiseWindow(depthMultiplier: 0)).outputShape(for: [9, 13, 1]))
        XCTAssertThrowsError(try DepthwiseConv2D(DepthwiseWindow(strides: (0, 1))).outputShape(for: [9, 13, 1]))
        XCTAssertThrowsError(try SeparableConv2D(filters: 0, DepthwiseWindow()).outputShape(for: [9, 13, 1]))
    }

    /// Keras's glorot_uniform fans for 4-D kernels: fanIn = KH*KW*shape[-2], fanOut = KH*KW*shape[-1].
    func testInitialisationFollowsKeras() throws {
        var rng = RandomGenerator(seed: 3)
        let depthwise = DepthwiseConv2D(DepthwiseWindow(depthMultiplier: 2))
        try depthwise.build(inputShape: [9, 13, 8], using: &rng)
        XCTAssertEqual(depthwise.kernel.value.shape, [3, 3, 8, 2])
        XCTAssertEqual(depthwise.bias.value.data, [Float](repeating: 0, count: 16))
        assertGlorot(depthwise.kernel.value, fanIn: 9 * 8, fanOut: 9 * 2)
        XCTAssertEqual(depthwise.parameterCount, 3 * 3 * 8 * 2 + 16)
        XCTAssertEqual(depthwise.kind, "DepthwiseConv2D")

        let separable = SeparableConv2D(filters: 32, DepthwiseWindow(depthMultiplier: 2))
        try separable.build(inputShape: [9, 13, 8], using: &rng)
        XCTAssertEqual(separable.depthwiseKernel.value.shape, [3, 3, 8, 2])
        XCTAssertEqual(separable.pointwiseKernel.value.shape, [1, 1, 16, 32])
        XCTAssertEqual(separable.bias.value.data, [Float](repeating: 0, count: 32))
        assertGlorot(separable.depthwiseKernel.value, fanIn: 9 * 8, fanOut: 9 * 2)
        assertGlorot(separable.pointwiseKernel.value, fanIn: 16, fanOut: 32)
        XCTAssertEqual(separable.parameterCount, 3 * 3 * 8 * 2 + 16 * 32 + 32)
        XCTAssertEqual(separable.kind, "SeparableConv2D")
    }

    private func assertGlorot(_ kernel: Tensor, fanIn: Int, fanOut: Int, line: UInt = #line) {
        let limit = (6 / Float(fanIn + fanOut)).squareRoot()
        let largest = kernel.data.map(abs).max()!
        XCTAssertLessThanOrEqual(largest, limit, line: line)
        XCTAssertGreaterThan(largest, 0.9 * limit, line: line)
    }

    /// The depthwise loops are not products; the pointwise half is one forward product and two backward.
    func testProducts() {
        let depthwise = DepthwiseConv2D(DepthwiseWindow()).products(inputShape: [9, 13, 4], batch: 2, inputGradient: true)
        XCTAssertTrue(depthwise.forward.isEmpty && depthwise.backward.isEmpty)
        let separable = SeparableConv2D(filters: 8, DepthwiseWindow(padding: .same, depthMultiplier: 2))
        let p = separable.products(inputShape: [9, 13, 4], batch: 2, inputGradient: true)
        XCTAssertEqual(p.forward, [MatrixProduct("y", m: 234, n: 8, k: 8)])
        XCTAssertEqual(p.backward, [MatrixProduct("dW", m: 8, n: 8, k: 234, transA: true),
                                    MatrixProduct("dd", m: 234, n: 8, k: 8, transB: true)])
        XCTAssertEqual(separable.products(inputShape: [9, 13, 4], batch: 2, inputGradient: false).backward, p.backward,
                       "dd serves the depthwise kernel gradient too")
    }

    /// Without the input gradient (a first layer), the parameter gradients are the same and dx is not made.
    func testParameterGradientsWithoutInputGradient() throws {
        for make in [{ DepthwiseConv2D(DepthwiseWindow(kernelSize: (3, 2), padding: .same, depthMultiplier: 2), activation: .tanh) as any Layer },
                     { SeparableConv2D(filters: 3, DepthwiseWindow(), activation: .relu) as any Layer }] {
            let (a, b) = (make(), make())
            var rng = RandomGenerator(seed: 11)
            try a.build(inputShape: [6, 5, 2], using: &rng)
            rng = RandomGenerator(seed: 11)
            try b.build(inputShape: [6, 5, 2], using: &rng)
            let x = Tensor(shape: [2, 6, 5, 2], data: (0..<120).map { _ in rng.nextNormal() })
            let y = a.forward(x, training: true)
            _ = b.forward(x, training: true)
            let dy = Tensor(shape: y.shape, data: (0..<y.count).map { _ in rng.nextNormal() })
            XCTAssertEqual(a.backward(dy).shape, x.shape)
            let optional = try XCTUnwrap(b as? any InputGradientOptional)
            XCTAssertEqual(optional.backward(dy, inputGradient: false).count, 0)
            for (p, q) in zip(a.parameters, b.parameters) { XCTAssertEqual(p.grad, q.grad, "\(a.kind) \(p.name)") }
        }
    }

    // MARK: tier 2: finite differences

    func testDepthwiseGradients() throws {
        let cases: [((Int, Int), (Int, Int), Padding, Int, Activation)] = [
            ((3, 3), (1, 1), .valid, 1, .tanh), ((3, 2), (2, 1), .same, 2, .linear),
            ((2, 2), (1, 2), .same, 3, .sigmoid), ((1, 3), (2, 2), .valid, 1, .linear)]
        for (index, (k, s, padding, m, activation)) in cases.enumerated() {
            var rng = RandomGenerator(seed: 50 + UInt64(index))
            let layer = DepthwiseConv2D(DepthwiseWindow(kernelSize: k, strides: s, padding: padding, depthMultiplier: m),
                                        activation: activation)
            try layer.build(inputShape: [6, 5, 2], using: &rng)
            layer.bias.value = Tensor(shape: [2 * m], data: (0..<2 * m).map { _ in 0.5 * rng.nextNormal() })
            let x = Tensor(shape: [2, 6, 5, 2], data: (0..<120).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 16)
        }
    }

    func testSeparableGradients() throws {
        let cases: [((Int, Int), (Int, Int), Padding, Int, Activation)] = [
            ((3, 3), (1, 1), .same, 1, .tanh), ((2, 3), (2, 1), .valid, 2, .linear), ((3, 3), (2, 2), .same, 2, .sigmoid)]
        for (index, (k, s, padding, m, activation)) in cases.enumerated() {
            var rng = RandomGenerator(seed: 60 + UInt64(index))
            let layer = SeparableConv2D(filters: 3, DepthwiseWindow(kernelSize: k, strides: s, padding: padding,
                                                                    depthMultiplier: m), activation: activation)
            try layer.build(inputShape: [6, 5, 2], using: &rng)
            layer.bias.value = Tensor(shape: [3], data: (0..<3).map { _ in 0.5 * rng.nextNormal() })
            let x = Tensor(shape: [2, 6, 5, 2], data: (0..<120).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 16)
        }
    }

    /// In a model: Keras names, the summary's parameter count, and buffers reused from step to step.
    func testInAModel() throws {
        let model = try Sequential(inputShape: [9, 13, 1], layers: [
            Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu), DepthwiseConv2D(DepthwiseWindow(padding: .same)),
            SeparableConv2D(filters: 8, DepthwiseWindow(), activation: .relu),
            SeparableConv2D(filters: 4, DepthwiseWindow(padding: .same))])
        XCTAssertEqual(model.layers.map(\.name), ["conv2d", "depthwise_conv2d", "separable_conv2d", "separable_conv2d_1"])
        XCTAssertEqual(model.layerOutputShapes.last, [7, 11, 4])
        XCTAssertEqual(model.namedParameters.map(\.name).filter { $0.hasPrefix("separable_conv2d_1") },
                       ["separable_conv2d_1/depthwise_kernel", "separable_conv2d_1/pointwise_kernel",
                        "separable_conv2d_1/bias"])
        var rng = RandomGenerator(seed: 4)
        let x = Tensor(shape: [2, 9, 13, 1], data: (0..<234).map { _ in rng.nextNormal() })
        let first = SequenceTestSupport.address(model.forward(x, training: true))
        _ = model.backward(Tensor(shape: [2, 7, 11, 4], repeating: 1))
        XCTAssertEqual(SequenceTestSupport.address(model.forward(x, training: true)), first)
    }
}
