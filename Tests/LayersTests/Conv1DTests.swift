import Layers
import Tensor
import TestSupport
import XCTest

final class Conv1DTests: XCTestCase {
    // MARK: tier 1: Keras 3 fixtures (Tests/Fixtures/make_rnn_fixtures.py)

    private func checkFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let config = try SequenceTestSupport.config(fixture)
        let x = try fixture.tensor("x")
        let padding = try XCTUnwrap(SequencePadding(rawValue: try XCTUnwrap(config["padding"] as? String)))
        let activation = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["activation"] as? String)))
        let layer = Conv1D(filters: try XCTUnwrap(config["filters"] as? Int),
                           kernelSize: try XCTUnwrap(config["kernel_size"] as? Int),
                           strides: try XCTUnwrap(config["strides"] as? Int), padding: padding, activation: activation)
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
        XCTAssertEqual(layer.parameters.map(\.name), ["kernel", "bias"], file: file, line: line)
        XCTAssertEqual(try layer.outputShape(for: Array(x.shape.dropFirst())),
                       Array(try fixture.tensor("y").shape.dropFirst()), file: file, line: line)
        try checkAgainstFixture(layer, fixture, name: name, file: file, line: line)
    }

    func testMatchesKerasValid() throws { try checkFixture("conv1d_valid") }
    func testMatchesKerasSameEvenKernel() throws { try checkFixture("conv1d_same_even_kernel") }
    func testMatchesKerasSameStride2() throws { try checkFixture("conv1d_same_stride2") }
    func testMatchesKerasValidStride2() throws { try checkFixture("conv1d_valid_stride2") }
    /// `causal` (Tests/Fixtures/make_conv1d_causal_fixtures.py): K - 1 padding steps before the sequence.
    func testMatchesKerasCausal() throws { try checkFixture("conv1d_causal") }
    func testMatchesKerasCausalStride2() throws { try checkFixture("conv1d_causal_stride2") }

    /// Output step t depends on input steps up to t only: changing the input from step 5 on leaves
    /// outputs 0 ... 4 as they were, and the gradient of output 4 reaches no later input.
    func testCausalOutputsReadNoLaterStep() throws {
        var rng = RandomGenerator(seed: 3)
        let layer = Conv1D(filters: 2, kernelSize: 3, padding: .causal, activation: .tanh)
        try layer.build(inputShape: [9, 2], using: &rng)
        XCTAssertEqual(try layer.outputShape(for: [9, 2]), [9, 2])
        XCTAssertEqual(try Conv1D(filters: 2, kernelSize: 4, strides: 2, padding: .causal).outputShape(for: [9, 2]),
                       [5, 2])
        XCTAssertEqual(try Conv1D(filters: 2, kernelSize: 12, padding: .causal).outputShape(for: [9, 2]), [9, 2],
                       "a causal kernel longer than the sequence still has an output per step")
        let x = Tensor(shape: [1, 9, 2], data: (0..<18).map { _ in rng.nextNormal() })
        var changed = x
        for i in 10..<18 { changed.data[i] += 1 }
        let y = layer.forward(x, training: true).data
        var dy = Tensor(shape: [1, 9, 2], repeating: 0)
        dy.data[8] = 1                                      // output step 4, filter 0
        let dx = layer.backward(dy).data
        XCTAssertEqual(Array(dx[10...]), [Float](repeating: 0, count: 8))
        XCTAssertNotEqual(Array(dx[4..<10]), [Float](repeating: 0, count: 6))
        let yChanged = layer.forward(changed, training: true).data
        XCTAssertEqual(Array(yChanged[0..<10]), Array(y[0..<10]))
        XCTAssertNotEqual(Array(yChanged[10...]), Array(y[10...]))
    }

    // MARK: shapes, initialisation, products

    func testShapesAndErrors() throws {
        XCTAssertEqual(try Conv1D(filters: 4, kernelSize: 3).outputShape(for: [9, 13]), [7, 4])
        XCTAssertEqual(try Conv1D(filters: 4, kernelSize: 3, padding: .same).outputShape(for: [9, 13]), [9, 4])
        XCTAssertEqual(try Conv1D(filters: 4, kernelSize: 3, strides: 2, padding: .same).outputShape(for: [9, 13]),
                       [5, 4])
        XCTAssertEqual(try Conv1D(filters: 4, kernelSize: 3, strides: 2).outputShape(for: [9, 13]), [4, 4])
        XCTAssertThrowsError(try Conv1D(filters: 4, kernelSize: 10).outputShape(for: [9, 13])) { error in
            XCTAssertTrue("\(error)".contains("empty output"), "\(error)")
        }
        XCTAssertThrowsError(try Conv1D(filters: 4, kernelSize: 3).outputShape(for: [9, 13, 1])) { error in
            XCTAssertTrue("\(error)".contains("(time steps, channels)"), "\(error)")
        }
        XCTAssertThrowsError(try Conv1D(filters: 4, kernelSize: 0).outputShape(for: [9, 13]))
        XCTAssertThrowsError(try Conv1D(filters: 4, kernelSize: 3, strides: 0).outputShape(for: [9, 13]))
    }

    func testInitialisationFollowsKeras() throws {
        let layer = Conv1D(filters: 8, kernelSize: 3)
        var rng = RandomGenerator(seed: 3)
        try layer.build(inputShape: [9, 13], using: &rng)
        XCTAssertEqual(layer.kernel.value.shape, [3, 13, 8])
        XCTAssertEqual(layer.bias.value.data, [Float](repeating: 0, count: 8))
        let limit = (6 / Float(3 * 13 + 3 * 8)).squareRoot()   // fans K*C and K*F
        let largest = layer.kernel.value.data.map(abs).max()!
        XCTAssertLessThanOrEqual(largest, limit)
        XCTAssertGreaterThan(largest, 0.9 * limit)
        XCTAssertEqual(layer.parameterCount, 3 * 13 * 8 + 8)
        XCTAssertEqual(layer.kind, "Conv1D")
    }

    func testProducts() {
        let layer = Conv1D(filters: 8, kernelSize: 3, strides: 2, padding: .same)
        let p = layer.products(inputShape: [9, 13], batch: 4, inputGradient: true)
        XCTAssertEqual(p.forward, [MatrixProduct("y", m: 20, n: 8, k: 39)])
        XCTAssertEqual(p.backward, [MatrixProduct("dW", m: 39, n: 8, k: 20, transA: true),
                                    MatrixProduct("dx", m: 20, n: 39, k: 8, transB: true)])
        XCTAssertEqual(layer.products(inputShape: [9, 13], batch: 4, inputGradient: false).backward.count, 1)
    }

    func testBuffersAreReusedAndWorkspaceIsShared() throws {
        let model = try Sequential(inputShape: [9, 5], layers: [Conv1D(filters: 4, kernelSize: 3, padding: .same),
                                                                Conv1D(filters: 2, kernelSize: 2)])
        let first = try XCTUnwrap(model.layers[0] as? Conv1D), second = try XCTUnwrap(model.layers[1] as? Conv1D)
        XCTAssertTrue(first.workspace === model.workspace && second.workspace === model.workspace)
        XCTAssertEqual(model.layers.map(\.name), ["conv1d", "conv1d_1"])
        var rng = RandomGenerator(seed: 4)
        let x = Tensor(shape: [2, 9, 5], data: (0..<90).map { _ in rng.nextNormal() })
        let y1 = SequenceTestSupport.address(model.forward(x, training: true))
        let dx1 = SequenceTestSupport.address(model.backward(Tensor(shape: [2, 8, 2], repeating: 1)))
        let y2 = SequenceTestSupport.address(model.forward(x, training: true))
        let dx2 = SequenceTestSupport.address(model.backward(Tensor(shape: [2, 8, 2], repeating: 1)))
        XCTAssertEqual(y1, y2)
        XCTAssertEqual(dx1, dx2)
    }

    // MARK: tier 2: finite differences

    func testGradients() throws {
        let cases: [(Int, Int, SequencePadding, Activation)] = [(3, 1, .valid, .tanh), (4, 1, .same, .linear),
                                                                (3, 2, .same, .sigmoid), (2, 3, .valid, .linear),
                                                                (3, 1, .causal, .tanh), (4, 3, .causal, .linear)]
        for (index, (k, s, padding, activation)) in cases.enumerated() {
            var rng = RandomGenerator(seed: 40 + UInt64(index))
            let layer = Conv1D(filters: 3, kernelSize: k, strides: s, padding: padding, activation: activation)
            try layer.build(inputShape: [8, 2], using: &rng)
            layer.bias.value = Tensor(shape: [3], data: (0..<3).map { _ in 0.5 * rng.nextNormal() })
            let x = Tensor(shape: [2, 8, 2], data: (0..<32).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 16)
        }
    }
}
