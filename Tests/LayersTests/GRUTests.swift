import Layers
import Tensor
import TestSupport
import XCTest

private typealias Support = SequenceTestSupport

final class GRUTests: XCTestCase {
    // MARK: tier 1: Keras 3 fixtures (Tests/Fixtures/make_rnn_fixtures.py)

    /// Builds a GRU as the fixture's config says and compares output and every gradient.
    private func checkFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let config = try Support.config(fixture)
        let x = try fixture.tensor("x")
        XCTAssertEqual(config["reset_after"] as? Bool, true, file: file, line: line)
        let recurrent = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["recurrent_activation"] as? String)))
        let layer = GRU(units: try XCTUnwrap(config["units"] as? Int),
                        returnSequences: try XCTUnwrap(config["return_sequences"] as? Bool),
                        recurrentActivation: recurrent)
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
        XCTAssertEqual(layer.parameters.map(\.name), ["kernel", "recurrent_kernel", "bias"], file: file, line: line)
        try checkAgainstFixture(layer, fixture, name: name, file: file, line: line)
    }

    func testMatchesKerasReturnSequences() throws { try checkFixture("gru_return_sequences") }
    func testMatchesKerasLastStep() throws { try checkFixture("gru_last_step") }
    func testMatchesKerasHardSigmoid() throws { try checkFixture("gru_hard_sigmoid") }

    // MARK: initialisation, shapes, parameter count

    func testInitialisationFollowsKeras() throws {
        let (d, u) = (3, 4)
        let layer = GRU(units: u)
        var rng = RandomGenerator(seed: 7)
        try layer.build(inputShape: [5, d], using: &rng)
        XCTAssertEqual(layer.kernel.value.shape, [d, 3 * u])
        XCTAssertEqual(layer.recurrentKernel.value.shape, [u, 3 * u])
        XCTAssertEqual(layer.bias.value.shape, [2, 3 * u])
        // glorot_uniform: within the limit, and spread over it
        let limit = (6 / Float(d + 3 * u)).squareRoot()
        let largest = layer.kernel.value.data.map(abs).max()!
        XCTAssertLessThanOrEqual(largest, limit)
        XCTAssertGreaterThan(largest, 0.5 * limit)
        // orthogonal (U, 3U): R R^T = I
        let r = layer.recurrentKernel.value.data
        for a in 0..<u {
            for b in 0..<u {
                var dot: Float = 0
                for j in 0..<(3 * u) { dot += r[a * 3 * u + j] * r[b * 3 * u + j] }
                XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-5, "(R R^T)[\(a), \(b)]")
            }
        }
        XCTAssertEqual(layer.bias.value.data, [Float](repeating: 0, count: 6 * u))
        XCTAssertEqual(layer.name, "gru")
        XCTAssertEqual(layer.kind, "GRU")
    }

    func testParameterCountMatchesKeras() throws {
        // 3 * (U * (D + U) + 2U) with reset_after: Keras's GRU(128) on (9, 13) has 54,912
        var rng = RandomGenerator(seed: 1)
        let layer = GRU(units: 128)
        try layer.build(inputShape: [9, 13], using: &rng)
        XCTAssertEqual(layer.parameterCount, 54_912)
    }

    func testOutputShapes() throws {
        XCTAssertEqual(try GRU(units: 4, returnSequences: true).outputShape(for: [5, 3]), [5, 4])
        XCTAssertEqual(try GRU(units: 4).outputShape(for: [5, 3]), [4])
        XCTAssertThrowsError(try GRU(units: 4).outputShape(for: [5, 3, 1]))
        XCTAssertThrowsError(try GRU(units: 4).outputShape(for: [0, 3]))
        for sequences in [true, false] {
            let layer = GRU(units: 4, returnSequences: sequences)
            var rng = RandomGenerator(seed: 2)
            try layer.build(inputShape: [5, 3], using: &rng)
            let x = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let y = layer.forward(x, training: false)
            XCTAssertEqual(y.shape, sequences ? [2, 5, 4] : [2, 4])
            XCTAssertEqual(layer.backward(y).shape, [2, 5, 3])
        }
    }

    func testLastStepEqualsLastRowOfSequence() throws {
        var rng = RandomGenerator(seed: 3)
        let all = GRU(units: 4, returnSequences: true), last = GRU(units: 4)
        try all.build(inputShape: [5, 3], using: &rng)
        try last.build(inputShape: [5, 3], using: &rng)
        for (a, b) in zip(all.parameters, last.parameters) { b.value = a.value }
        let x = Tensor(shape: [3, 5, 3], data: (0..<45).map { _ in rng.nextNormal() })
        let ys = all.forward(x, training: false), y = last.forward(x, training: false)
        for n in 0..<3 {
            XCTAssertEqual(Array(ys.data[(n * 5 + 4) * 4..<(n * 5 + 5) * 4]), Array(y.data[n * 4..<(n + 1) * 4]))
        }
    }

    // MARK: buffers

    func testBuffersAreReusedAcrossCalls() throws {
        var rng = RandomGenerator(seed: 4)
        for sequences in [true, false] {
            let layer = GRU(units: 4, returnSequences: sequences)
            try layer.build(inputShape: [5, 3], using: &rng)
            let x1 = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let x2 = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let dy = Tensor(shape: sequences ? [2, 5, 4] : [2, 4], repeating: 0.5)
            let out1 = Support.address(layer.forward(x1, training: true))
            let in1 = Support.address(layer.backward(dy))
            layer.releaseCache()
            let out2 = Support.address(layer.forward(x2, training: true))
            let in2 = Support.address(layer.backward(dy))
            XCTAssertEqual(out1, out2, "output buffer reallocated (returnSequences \(sequences))")
            XCTAssertEqual(in1, in2, "input-gradient buffer reallocated (returnSequences \(sequences))")
        }
    }

    func testBackwardAddsIntoParameterGradients() throws {
        var rng = RandomGenerator(seed: 5)
        let layer = GRU(units: 4, returnSequences: true)
        try layer.build(inputShape: [4, 3], using: &rng)
        let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
        let dy = Tensor(shape: [2, 4, 4], data: (0..<32).map { _ in rng.nextNormal() })
        _ = layer.forward(x, training: true)
        _ = layer.backward(dy)
        let once = layer.parameters.map(\.grad)
        _ = layer.forward(x, training: true)
        _ = layer.backward(dy)
        for (p, g) in zip(layer.parameters, once) {
            assertClose(p.grad.data, g.data.map { 2 * $0 }, tolerance: 1e-6, "accumulated grad/\(p.name)")
        }
    }

    // MARK: products

    func testProductsFollowTheShapes() {
        let layer = GRU(units: 128, returnSequences: true)
        let p = layer.products(inputShape: [9, 13], batch: 16, inputGradient: true)
        XCTAssertEqual(p.forward.first, MatrixProduct("xW", m: 144, n: 384, k: 13))
        // hR: 16 x 384 x 128 = 786,432 is under OpenBLAS's small-matrix limit: one product per step
        XCTAssertEqual(Array(p.forward.dropFirst()), [MatrixProduct("hR", m: 16, n: 384, k: 128, count: 8)])
        XCTAssertEqual(p.backward, [MatrixProduct("dh", m: 16, n: 128, k: 384, transB: true, count: 8),
                                    MatrixProduct("dW", m: 13, n: 384, k: 144, transA: true),
                                    MatrixProduct("dR", m: 128, n: 384, k: 144, transA: true),
                                    MatrixProduct("dx", m: 144, n: 13, k: 384, transB: true)])
        XCTAssertEqual(layer.products(inputShape: [9, 13], batch: 16, inputGradient: false).backward.count, 3)
    }

    // MARK: tier 2: finite differences

    func testGradientsSigmoid() throws {
        for sequences in [true, false] {
            var rng = RandomGenerator(seed: sequences ? 11 : 12)
            let layer = GRU(units: 4, returnSequences: sequences)
            try layer.build(inputShape: [4, 3], using: &rng)
            // random nonzero biases, so that every gate has an offset and both bias rows matter
            layer.bias.value = Tensor(shape: [2, 12], data: (0..<24).map { _ in 0.5 * rng.nextNormal() })
            let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 20)
        }
    }

    /// hard_sigmoid has kinks at z = +-2.5; as in the LSTM test, every z / r column is either always
    /// linear (|b_j| + B_j < 2.5) or always saturated (|b_j| - B_j > 2.5), B_j bounding everything but
    /// the two biases b_j = b_input_j + b_recurrent_j, perturbations (eps) included.
    func testGradientsHardSigmoid() throws {
        let d = 3, u = 4, g = 3 * u, eps: Float = 1e-2
        for sequences in [true, false] {
            var rng = RandomGenerator(seed: sequences ? 21 : 22)
            let layer = GRU(units: u, returnSequences: sequences, recurrentActivation: .hardSigmoid)
            try layer.build(inputShape: [4, d], using: &rng)
            let w = layer.kernel, r = layer.recurrentKernel
            w.value.data = w.value.data.map { 0.5 * $0 }
            r.value.data = r.value.data.map { 0.5 * $0 }
            // saturated columns: z of unit 0 at 1, z of unit 1 at 0, r of unit 2 at 1, r of unit 3 at 0
            let saturated: [Int: Float] = [0: 4.5, 1: -4.5, u + 2: 4.5, u + 3: -4.5]
            var b = (0..<(2 * g)).map { _ in 0.2 * (2 * rng.nextUniform() - 1) }
            for (j, v) in saturated { b[j] = v; b[g + j] = 0 }
            layer.bias.value = Tensor(shape: [2, g], data: b)
            let x = Tensor(shape: [2, 4, d], data: (0..<24).map { _ in 2 * rng.nextUniform() - 1 })
            let xMax = x.data.map(abs).max()!
            for j in 0..<(2 * u) {   // z, r columns
                var bound = 3 * eps
                for k in 0..<d { bound += abs(w.value.data[k * g + j]) * (xMax + eps) }
                for k in 0..<u { bound += abs(r.value.data[k * g + j]) }
                let offset = abs(b[j] + b[g + j])
                if saturated[j] != nil {
                    XCTAssertGreaterThan(offset - bound, 2.5, "column \(j) may leave saturation")
                } else {
                    XCTAssertLessThan(offset + bound, 2.5, "column \(j) may reach a kink")
                }
            }
            checkGradients(layer, input: x, coordinates: 20, eps: eps)
        }
    }
}
