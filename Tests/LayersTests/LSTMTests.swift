import CSupport
import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

/// Helpers shared by the LSTM and TimeDistributed tests (a namespace, to stay clear of other files).
enum SequenceTestSupport {
    /// Largest elementwise |a - b| (for the log lines of the fixture tests).
    static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The JSON `config` metadata entry of a fixture file.
    static func config(_ file: SafeTensors.File) throws -> [String: Any] {
        let text = try XCTUnwrap(file.metadata["config"], "fixture has no config metadata")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Base address of a tensor's storage, to tell reused buffers from new ones.
    static func address(_ t: Tensor) -> UInt {
        t.data.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }
}

private typealias Support = SequenceTestSupport

final class LSTMTests: XCTestCase {
    // MARK: tier 1: Keras 3 fixtures (Tests/Fixtures/make_lstm_fixtures.py)

    /// Loads a fixture, runs forward and backward with its weights, compares everything.
    private func checkFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let config = try Support.config(fixture)
        let x = try fixture.tensor("x")
        let units = try XCTUnwrap(config["units"] as? Int)
        let sequences = try XCTUnwrap(config["return_sequences"] as? Bool)
        let recurrent = try XCTUnwrap(Activation(rawValue: try XCTUnwrap(config["recurrent_activation"] as? String)))
        let layer = LSTM(units: units, returnSequences: sequences, recurrentActivation: recurrent)
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
        XCTAssertEqual(layer.parameters.map(\.name), ["kernel", "recurrent_kernel", "bias"], file: file, line: line)
        for p in layer.parameters {
            let value = try fixture.tensor(p.name)
            XCTAssertEqual(value.shape, p.value.shape, "\(name): \(p.name) shape", file: file, line: line)
            p.value = value
        }

        let y = layer.forward(x, training: true)
        let expectedY = try fixture.tensor("y")
        assertClose(y, expectedY, tolerance: 1e-4, "\(name): y", file: file, line: line)
        layer.zeroGrad()
        let dx = layer.backward(try fixture.tensor("dy"))
        let expectedDx = try fixture.tensor("dx")
        assertGradientClose(dx, expectedDx, tolerance: 1e-4, "\(name): dx", file: file, line: line)
        var report = "\(name): max |diff| y \(Support.maxAbsDifference(y, expectedY)), "
            + "dx \(Support.maxAbsDifference(dx, expectedDx))"
        for p in layer.parameters {
            let expected = try fixture.tensor("grad/\(p.name)")
            assertGradientClose(p.grad, expected, tolerance: 1e-4, "\(name): grad/\(p.name)", file: file, line: line)
            report += ", grad/\(p.name) \(Support.maxAbsDifference(p.grad, expected))"
        }
        print(report)
    }

    func testMatchesKerasReturnSequences() throws { try checkFixture("lstm_return_sequences") }
    func testMatchesKerasLastStep() throws { try checkFixture("lstm_last_step") }
    func testMatchesKerasHardSigmoid() throws { try checkFixture("lstm_hard_sigmoid") }

    // MARK: initialisation, shapes, parameter count

    func testInitialisationFollowsKeras() throws {
        let (d, u) = (3, 4)
        let layer = LSTM(units: u)
        var rng = RandomGenerator(seed: 7)
        try layer.build(inputShape: [5, d], using: &rng)
        let kernel = layer.kernel, recurrent = layer.recurrentKernel
        let bias = layer.bias
        XCTAssertEqual(kernel.value.shape, [d, 4 * u])
        XCTAssertEqual(recurrent.value.shape, [u, 4 * u])
        XCTAssertEqual(bias.value.shape, [4 * u])

        // glorot_uniform: within the limit, and spread over it (not all tiny)
        let limit = (6 / Float(d + 4 * u)).squareRoot()
        let largest = kernel.value.data.map(abs).max()!
        XCTAssertLessThanOrEqual(largest, limit)
        XCTAssertGreaterThan(largest, 0.5 * limit)
        // orthogonal (U, 4U): R R^T = I
        let r = recurrent.value.data
        for a in 0..<u {
            for b in 0..<u {
                var dot: Float = 0
                for j in 0..<(4 * u) { dot += r[a * 4 * u + j] * r[b * 4 * u + j] }
                XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-5, "(R R^T)[\(a), \(b)]")
            }
        }
        // unit_forget_bias: ones on [U, 2U), zeros elsewhere
        XCTAssertEqual(bias.value.data, (0..<(4 * u)).map { $0 >= u && $0 < 2 * u ? 1 : 0 })
        XCTAssertEqual(kernel.grad.data, [Float](repeating: 0, count: d * 4 * u))
    }

    func testParameterCountMatchesKeras() throws {
        // 4 * (U * (D + U) + U): the reference RNN's two LSTM(128) layers on (9, 13)
        var rng = RandomGenerator(seed: 1)
        let first = LSTM(units: 128, returnSequences: true)
        try first.build(inputShape: [9, 13], using: &rng)
        XCTAssertEqual(first.parameterCount, 72_704)
        let second = LSTM(units: 128, returnSequences: true)
        try second.build(inputShape: try first.outputShape(for: [9, 13]), using: &rng)
        XCTAssertEqual(second.parameterCount, 131_584)
    }

    func testOutputShapes() throws {
        XCTAssertEqual(try LSTM(units: 4, returnSequences: true).outputShape(for: [5, 3]), [5, 4])
        XCTAssertEqual(try LSTM(units: 4).outputShape(for: [5, 3]), [4])
        XCTAssertThrowsError(try LSTM(units: 4).outputShape(for: [5, 3, 1]))
        XCTAssertThrowsError(try LSTM(units: 4).outputShape(for: [15]))
        XCTAssertThrowsError(try LSTM(units: 4).outputShape(for: [0, 3]))

        for sequences in [true, false] {
            let layer = LSTM(units: 4, returnSequences: sequences)
            var rng = RandomGenerator(seed: 2)
            try layer.build(inputShape: [5, 3], using: &rng)
            let x = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let y = layer.forward(x, training: false)
            XCTAssertEqual(y.shape, sequences ? [2, 5, 4] : [2, 4])
            XCTAssertEqual(layer.backward(y).shape, [2, 5, 3])
            XCTAssertEqual(layer.name, "lstm")
            XCTAssertEqual(layer.kind, "LSTM")
        }
    }

    func testLastStepEqualsLastRowOfSequence() throws {
        var rng = RandomGenerator(seed: 3)
        let all = LSTM(units: 4, returnSequences: true), last = LSTM(units: 4)
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
            let layer = LSTM(units: 4, returnSequences: sequences)
            try layer.build(inputShape: [5, 3], using: &rng)
            let x1 = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let x2 = Tensor(shape: [2, 5, 3], data: (0..<30).map { _ in rng.nextNormal() })
            let dy = Tensor(shape: sequences ? [2, 5, 4] : [2, 4], repeating: 0.5)
            // each result is dropped before the next call, as Sequential does with releaseCache
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
        let layer = LSTM(units: 4, returnSequences: true)
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

    // MARK: the fused cell (CSupport's earmark_lstm_cell, used with tanh and sigmoid)

    /// The fused cell (bias added inside) against the cell's formula in Double precision, at a first
    /// step (no c_old) and a later one, for 37 units (a vector tail in every clone).
    func testFusedCellMatchesFormulaInDoublePrecision() {
        let u = 37
        var rng = RandomGenerator(seed: 3)
        let z0 = (0..<(4 * u)).map { _ in 3 * rng.nextNormal() }
        let cOld = (0..<u).map { _ in 2 * rng.nextNormal() }
        let bias = (0..<(4 * u)).map { _ in rng.nextNormal() }
        for first in [true, false] {
            var z = z0, c = [Float](repeating: 0, count: u), a = c, h = c
            z.withUnsafeMutableBufferPointer { zp in
                let g = zp.baseAddress!
                cOld.withUnsafeBufferPointer { cp in
                    earmark_lstm_cell(g, g + u, g + 2 * u, g + 3 * u, bias, first ? nil : cp.baseAddress!, &c, &a, &h, u)
                }
            }
            func sigmoid(_ x: Float) -> Double { 1 / (1 + Foundation.exp(-Double(x))) }
            var worst = 0.0
            for j in 0..<u {
                let zb = (0..<4).map { z0[$0 * u + j] + bias[$0 * u + j] }   // the cell adds the bias
                let (i, f, g, o) = (sigmoid(zb[0]), sigmoid(zb[1]), Foundation.tanh(Double(zb[2])), sigmoid(zb[3]))
                let cj = (first ? 0 : f * Double(cOld[j])) + i * g
                let expected: [(Float, Double)] = [(z[j], i), (z[u + j], f), (z[2 * u + j], g), (z[3 * u + j], o),
                                                   (c[j], cj), (a[j], Foundation.tanh(cj)), (h[j], o * Foundation.tanh(cj))]
                for (got, want) in expected { worst = max(worst, abs(Double(got) - want)) }
            }
            XCTAssertLessThan(worst, 1e-6, "fused cell, first step \(first): worst absolute error")
        }
    }

    /// The inference cell (3 divisions per unit, c updated in place) against the cell's formula in
    /// Double precision, at a first step (c not read: it starts as NaN) and a later one, for 37 units
    /// (a vector tail in every clone). Some pre-activations are far beyond the exponential's clamp
    /// (+-200), where the cell's shared denominators are largest: h and c must stay finite and exact.
    func testInferenceCellMatchesFormulaInDoublePrecision() {
        let u = 37
        var rng = RandomGenerator(seed: 6)
        var z = (0..<(4 * u)).map { _ in 3 * rng.nextNormal() }
        for j in stride(from: 0, to: 4 * u, by: 7) { z[j] = j % 2 == 0 ? 200 : -200 }
        let cOld = (0..<u).map { _ in 2 * rng.nextNormal() }
        let bias = (0..<(4 * u)).map { _ in rng.nextNormal() }
        for first in [true, false] {
            var c = first ? [Float](repeating: .nan, count: u) : cOld, h = [Float](repeating: .nan, count: u)
            earmark_lstm_cell_inference(z, bias, &c, first ? 1 : 0, &h, u)
            func sigmoid(_ x: Float) -> Double { 1 / (1 + Foundation.exp(-Double(x))) }
            var worst = 0.0
            for j in 0..<u {
                let zb = (0..<4).map { z[$0 * u + j] + bias[$0 * u + j] }
                let (i, f, g, o) = (sigmoid(zb[0]), sigmoid(zb[1]), Foundation.tanh(Double(zb[2])), sigmoid(zb[3]))
                let cj = (first ? 0 : f * Double(cOld[j])) + i * g
                worst = max(worst, abs(Double(c[j]) - cj), abs(Double(h[j]) - o * Foundation.tanh(cj)))
            }
            XCTAssertLessThan(worst, 1e-6, "inference cell, first step \(first): worst absolute error")
        }
    }

    /// `infer` (the inference cell, h_{t-1} read from the output rows with returnSequences) against
    /// `forward(x, training: false)` on the same weights, for both outputs, over two calls of different
    /// batch sizes; and a training forward and backward after `infer` are those of a fresh layer.
    func testInferMatchesForward() throws {
        for sequences in [true, false] {
            var rng = RandomGenerator(seed: sequences ? 31 : 32)
            let layer = LSTM(units: 20, returnSequences: sequences), twin = LSTM(units: 20, returnSequences: sequences)
            try layer.build(inputShape: [6, 5], using: &rng)
            try twin.build(inputShape: [6, 5], using: &rng)
            layer.bias.value = Tensor(shape: [80], data: (0..<80).map { _ in rng.nextNormal() })
            for (a, b) in zip(layer.parameters, twin.parameters) { b.value = a.value }
            for n in [3, 2] {
                let x = Tensor(shape: [n, 6, 5], data: (0..<(n * 30)).map { _ in 2 * rng.nextNormal() })
                let expected = twin.forward(x, training: false)
                let y = layer.infer(x)
                XCTAssertEqual(y.shape, expected.shape)
                assertClose(y, expected, tolerance: 1e-6, "infer, returnSequences \(sequences), batch \(n)")
                XCTAssertGreaterThan(Support.maxAbsDifference(expected, Tensor(shape: expected.shape, repeating: 0)), 0.1)
            }
            let x = Tensor(shape: [2, 6, 5], data: (0..<60).map { _ in rng.nextNormal() })
            let dy = Tensor(shape: sequences ? [2, 6, 20] : [2, 20], data: (0..<(sequences ? 240 : 40)).map { _ in rng.nextNormal() })
            XCTAssertEqual(layer.forward(x, training: true).data, twin.forward(x, training: true).data)
            XCTAssertEqual(layer.backward(dy).data, twin.backward(dy).data, "backward after infer")
        }
    }

    /// The fused cell's backward against its formula in Double precision, at a first step (no c_old: d_f
    /// 0 and dc left alone) and a later one (dc replaced by dc' f), for 37 units (a vector tail in
    /// every clone).
    func testFusedCellBackwardMatchesFormulaInDoublePrecision() {
        let u = 37
        var rng = RandomGenerator(seed: 4)
        func gate() -> Float { 1 / (1 + Foundation.exp(-3 * rng.nextNormal())) }
        let (i, f, o) = ((0..<u).map { _ in gate() }, (0..<u).map { _ in gate() }, (0..<u).map { _ in gate() })
        let g = (0..<u).map { _ in Foundation.tanh(2 * rng.nextNormal()) }
        let a = (0..<u).map { _ in Foundation.tanh(2 * rng.nextNormal()) }
        let cOld = (0..<u).map { _ in 2 * rng.nextNormal() }
        let dh = (0..<u).map { _ in rng.nextNormal() }, dc0 = (0..<u).map { _ in rng.nextNormal() }
        for first in [true, false] {
            var dc = dc0
            var (di, df, dg, dO) = ([Float](repeating: .nan, count: u), [Float](repeating: .nan, count: u),
                                    [Float](repeating: .nan, count: u), [Float](repeating: .nan, count: u))
            cOld.withUnsafeBufferPointer { cp in
                earmark_lstm_cell_backward(i, f, g, o, a, first ? nil : cp.baseAddress!, dh, &dc, &di, &df, &dg, &dO, u)
            }
            var worst = 0.0
            for j in 0..<u {
                let (ij, fj, gj, oj, aj) = (Double(i[j]), Double(f[j]), Double(g[j]), Double(o[j]), Double(a[j]))
                let dcj = Double(dc0[j]) + Double(dh[j]) * oj * (1 - aj * aj)
                let expected: [(Float, Double)] = [
                    (dO[j], Double(dh[j]) * aj * oj * (1 - oj)), (di[j], dcj * gj * ij * (1 - ij)),
                    (df[j], first ? 0 : dcj * Double(cOld[j]) * fj * (1 - fj)), (dg[j], dcj * ij * (1 - gj * gj)),
                    (dc[j], first ? Double(dc0[j]) : dcj * fj)]
                for (got, want) in expected { worst = max(worst, abs(Double(got) - want)) }
            }
            XCTAssertLessThan(worst, 1e-5, "fused cell backward, first step \(first): worst absolute error")
        }
    }

    // MARK: tier 2: finite differences

    func testGradientsSigmoid() throws {
        for sequences in [true, false] {
            var rng = RandomGenerator(seed: sequences ? 11 : 12)
            let layer = LSTM(units: 4, returnSequences: sequences)
            try layer.build(inputShape: [4, 3], using: &rng)
            // a random nonzero bias, so that every gate has an offset
            layer.bias.value = Tensor(shape: [16], data: (0..<16).map { _ in 0.5 * rng.nextNormal() })
            let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
            checkGradients(layer, input: x, coordinates: 20)
        }
    }

    /// hard_sigmoid has kinks at z = +-2.5. The weights are set so that no gate pre-activation can come
    /// near them, including under the checker's perturbations (eps = 1e-2): each i/f/o column j is
    /// either always in the linear region (|b_j| + B_j < 2.5) or always saturated (|b_j| - B_j > 2.5),
    /// where B_j = sum_d |W_dj| (max|x| + eps) + sum_k |R_kj| (|h| < 1) + eps bounds everything but
    /// the bias. Saturated columns check the zero-gradient branch, the others the 0.2 slope.
    func testGradientsHardSigmoid() throws {
        let d = 3, u = 4, eps: Float = 1e-2
        for sequences in [true, false] {
            var rng = RandomGenerator(seed: sequences ? 21 : 22)
            let layer = LSTM(units: u, returnSequences: sequences, recurrentActivation: .hardSigmoid)
            try layer.build(inputShape: [4, d], using: &rng)
            let w = layer.kernel, r = layer.recurrentKernel
            w.value.data = w.value.data.map { 0.5 * $0 }
            r.value.data = r.value.data.map { 0.5 * $0 }
            // saturated columns: i of unit 0 at 1, f of unit 1 at 0, o of unit 2 at 1, o of unit 3 at 0
            let saturated: [Int: Float] = [0: 4.5, u + 1: -4.5, 3 * u + 2: 4.5, 3 * u + 3: -4.5]
            var b = (0..<(4 * u)).map { _ in 0.4 * (2 * rng.nextUniform() - 1) }
            for (j, v) in saturated { b[j] = v }
            layer.bias.value = Tensor(shape: [4 * u], data: b)
            let x = Tensor(shape: [2, 4, d], data: (0..<24).map { _ in 2 * rng.nextUniform() - 1 })
            let xMax = x.data.map(abs).max()!

            for j in 0..<(4 * u) where !(2 * u..<3 * u).contains(j) {   // i, f, o columns
                var bound = eps
                for k in 0..<d { bound += abs(w.value.data[k * 4 * u + j]) * (xMax + eps) }
                for k in 0..<u { bound += abs(r.value.data[k * 4 * u + j]) }
                if saturated[j] != nil {
                    XCTAssertGreaterThan(abs(b[j]) - bound, 2.5, "column \(j) may leave saturation")
                } else {
                    XCTAssertLessThan(abs(b[j]) + bound, 2.5, "column \(j) may reach a kink")
                }
            }
            checkGradients(layer, input: x, coordinates: 20, eps: eps)
        }
    }
}
