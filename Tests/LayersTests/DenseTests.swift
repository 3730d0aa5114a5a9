import Layers
import Tensor
import TestSupport
import XCTest

final class DenseTests: XCTestCase {
    // MARK: tier 1: Keras fixtures (Tests/Fixtures/make_conv_fixtures.py)

    func testReluMatchesKeras() throws {
        try checkLayerFixture(Dense(units: 4, activation: .relu), "dense_relu")
    }

    func testSoftmaxMatchesKeras() throws {
        try checkLayerFixture(Dense(units: 5, activation: .softmax), "dense_softmax")
    }

    func testRank3InputMatchesKeras() throws {
        try checkLayerFixture(Dense(units: 3, activation: .tanh), "dense_rank3")
    }

    // MARK: tier 2: finite differences

    func testGradientsForEveryActivation() throws {
        for activation in Activation.allCases {
            let layer = try built(Dense(units: 4, activation: activation), [5])
            checkGradients(layer, input: randomTensor([3, 5], seed: 3))
        }
    }

    func testGradientsOnRank3Input() throws {
        let layer = try built(Dense(units: 3, activation: .sigmoid), [4, 5])
        checkGradients(layer, input: randomTensor([2, 4, 5], seed: 4))
    }

    /// backward(preActivationGradient:) skips the softmax Jacobian: with dz = p - onehot it gives
    /// the same gradients as backward(dy) with dy = d(cross-entropy)/dp = -onehot / p.
    func testPreActivationGradientEqualsBackwardThroughSoftmax() throws {
        let layer = try built(Dense(units: 3, activation: .softmax), [4])
        let x = randomTensor([2, 4], seed: 7)
        let p = layer.forward(x, training: true)
        let onehot: [Float] = [0, 1, 0, 1, 0, 0]
        layer.zeroGrad()
        let dxFused = layer.backward(preActivationGradient:
            Tensor(shape: [2, 3], data: zip(p.data, onehot).map { $0 - $1 })).data.map { $0 }
        let kernelFused = layer.kernel.grad
        layer.zeroGrad()
        let dx = layer.backward(Tensor(shape: [2, 3], data: zip(p.data, onehot).map { -$1 / $0 }))
        assertClose(dx.data, dxFused, "dx")
        assertClose(layer.kernel.grad, kernelFused, "kernel grad")
    }

    // MARK: shapes, parameters, buffers

    /// dx = dz W^T of a wide layer (the reference CNN's flattened 3072 inputs, a libxsmm product of
    /// the transposes) and of odd sizes, against a sum in Double.
    func testInputGradientMatchesTheDirectSum() throws {
        for (rows, inputs, units) in [(16, 3072, 128), (5, 70, 33), (1, 3, 1)] {
            let layer = try built(Dense(units: units), [inputs])
            let x = randomTensor([rows, inputs], seed: 66), dy = randomTensor([rows, units], seed: 67)
            _ = layer.forward(x, training: true)
            let dx = layer.backward(dy)
            let w = layer.kernel.value.data
            var expected = [Float](repeating: 0, count: rows * inputs)
            for r in 0..<rows {
                for d in 0..<inputs {
                    var s = 0.0
                    for u in 0..<units { s += Double(dy.data[r * units + u]) * Double(w[d * units + u]) }
                    expected[r * inputs + d] = Float(s)
                }
            }
            assertClose(dx, Tensor(shape: [rows, inputs], data: expected), tolerance: 1e-5, "\(rows) x \(inputs) -> \(units)")
        }
    }

    func testShapesAndParameterCount() throws {
        let layer = try built(Dense(units: 64), [128])
        XCTAssertEqual(layer.parameterCount, 128 * 64 + 64)
        XCTAssertEqual(layer.parameters.map(\.name), ["kernel", "bias"])
        XCTAssertEqual(layer.kernel.value.shape, [128, 64])
        XCTAssertEqual(layer.bias.value.data, [Float](repeating: 0, count: 64))
        XCTAssertEqual(try layer.outputShape(for: [128]), [64])
        XCTAssertEqual(try layer.outputShape(for: [9, 128]), [9, 64])
        XCTAssertEqual(layer.name, "dense")
        XCTAssertEqual(layer.kind, "Dense")
        // glorot_uniform: |w| <= sqrt(6 / (in + out)), and the range is used
        let limit = (6.0 / Float(128 + 64)).squareRoot()
        let top = layer.kernel.value.data.map(abs).max()!
        XCTAssertLessThanOrEqual(top, limit)
        XCTAssertGreaterThan(top, 0.9 * limit)
        XCTAssertThrowsError(try Dense(units: 0).outputShape(for: [3]))
        XCTAssertThrowsError(try Dense(units: 2).outputShape(for: []))
    }

    func testBuffersAreReusedAndGradientsAccumulate() throws {
        let layer = try built(Dense(units: 3, activation: .relu), [4])
        let x = randomTensor([2, 4], seed: 5)
        let first = storageAddress(layer.forward(x, training: true))
        layer.releaseCache()
        XCTAssertEqual(storageAddress(layer.forward(x, training: true)), first)
        let dy = randomTensor([2, 3], seed: 6)
        layer.zeroGrad()
        let dxAddress = storageAddress(layer.backward(dy))
        let once = layer.kernel.grad
        XCTAssertEqual(storageAddress(layer.backward(dy)), dxAddress)
        assertClose(layer.kernel.grad.data, once.data.map { 2 * $0 }, "kernel grad after two backward calls")
    }
}

// MARK: - helpers shared by the layer tests of this target

/// Builds `layer` for `inputShape` (batch excluded) with a fixed generator.
func built<L: Layer>(_ layer: L, _ inputShape: [Int], seed: UInt64 = 1) throws -> L {
    var rng = RandomGenerator(seed: seed)
    try layer.build(inputShape: inputShape, using: &rng)
    return layer
}

/// A tensor of standard normal values.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<Tensor.elementCount(shape)).map { _ in rng.nextNormal() })
}

/// Tier-1 check against Tests/Fixtures/layers/<name>.safetensors: builds `layer` for the fixture's
/// input, loads its weights (`kernel`, `bias`), runs forward and backward and compares y, dx and
/// every `grad/<weight>` within 1e-4 (relative above 1). Prints the largest differences.
func checkLayerFixture(_ layer: Layer, _ name: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
    let f = try Fixtures.load("layers/\(name).safetensors")
    let x = try f.tensor("x"), y = try f.tensor("y"), dy = try f.tensor("dy"), dx = try f.tensor("dx")
    var rng = RandomGenerator(seed: 1)
    let inputShape = Array(x.shape.dropFirst())
    try layer.build(inputShape: inputShape, using: &rng)
    XCTAssertEqual(try layer.outputShape(for: inputShape), Array(y.shape.dropFirst()),
                   "\(name): output shape", file: file, line: line)
    XCTAssertEqual(layer.parameters.map { "grad/" + $0.name }.sorted(),
                   f.tensors.keys.filter { $0.hasPrefix("grad/") }.sorted(),
                   "\(name): weights", file: file, line: line)
    for p in layer.parameters {
        let value = try f.tensor(p.name)
        XCTAssertEqual(value.shape, p.value.shape, "\(name): \(p.name) shape", file: file, line: line)
        p.value = value
    }
    layer.zeroGrad()
    let out = layer.forward(x, training: false)
    assertClose(out, y, "\(name): y", file: file, line: line)
    var report = ["y \(maxDifference(out, y))"]
    let gx = layer.backward(dy)
    assertGradientClose(gx, dx, "\(name): dx", file: file, line: line)
    report.append("dx \(maxDifference(gx, dx))")
    for p in layer.parameters {
        let expected = try f.tensor("grad/" + p.name)
        assertGradientClose(p.grad, expected, "\(name): grad/\(p.name)", file: file, line: line)
        report.append("grad/\(p.name) \(maxDifference(p.grad, expected))")
    }
    layer.releaseCache()
    print("fixture \(name): max |diff| " + report.joined(separator: ", "))
}

/// The largest elementwise |a - b| (infinity when the shapes differ).
func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// The address of a tensor's storage, to check that a layer reuses its buffers.
func storageAddress(_ t: Tensor) -> UnsafePointer<Float>? {
    t.data.withUnsafeBufferPointer { $0.baseAddress }
}
