import Layers
import Tensor
import TestSupport
import XCTest

/// Dense's inference on a large kernel runs on column panels of a copy of it (`PanelledMatrixProduct`),
/// copied again only when the kernel's `Parameter.version` changes. The product must be the direct sum,
/// round as libxsmm's kernel over the whole width does, and read a kernel changed between two calls.
final class DenseInferencePanelsTests: XCTestCase {
    /// (rows, inputs, units) above the panels' threshold: 70 units leave a last panel narrower than the
    /// others with AVX2's 32 columns and AVX-512's 64; 3072 x 128 is the reference CNN's dense layer.
    private let shapes = [(5, 200, 70), (16, 3072, 128)]

    private func layer(inputs: Int, units: Int, activation: Activation = .linear) throws -> Dense {
        let layer = try built(Dense(units: units, activation: activation), [inputs])
        XCTAssertGreaterThan(inputs * units, Dense.panelledInferenceFloats, "the shape must take the panels")
        layer.bias.value = randomTensor([units], seed: 31)
        return layer
    }

    func testInferenceMatchesTheDirectSum() throws {
        for (rows, inputs, units) in shapes {
            let dense = try layer(inputs: inputs, units: units)
            let x = randomTensor([rows, inputs], seed: 32)
            let y = dense.forward(x, training: false).data
            let (w, b) = (dense.kernel.value.data, dense.bias.value.data)
            var expected = [Float](repeating: 0, count: rows * units)
            for r in 0..<rows {
                for u in 0..<units {
                    var s = Double(b[u])
                    for d in 0..<inputs { s += Double(x.data[r * inputs + d]) * Double(w[d * units + u]) }
                    expected[r * units + u] = Float(s)
                }
            }
            assertClose(y, expected, tolerance: 1e-5, "\(rows) x \(inputs) -> \(units)")
            assertClose(dense.forward(x, training: true).data, y, tolerance: 1e-5, "training's product")
        }
    }

    /// The panels hold whole columns and each kernel sums over the same k in the same order, so the
    /// result is libxsmm's whole-width kernel's, bit for bit (relu on top, as the layer applies it).
    func testInferenceRoundsAsTheWholeWidthKernel() throws {
        for (rows, inputs, units) in shapes {
            // every x86-64 CPU this project runs on has libxsmm kernels (AVX2 or AVX-512); without one,
            // Dense would fall back to gemm and this comparison would mean nothing, so that fails here
            let whole = try XCTUnwrap(SmallMatrixProduct(m: rows, n: units, k: inputs, beta: 0),
                                      "libxsmm has no kernel for (\(rows), \(units), \(inputs)) on this CPU (\(SmallMatrixProduct.target))")
            let dense = try layer(inputs: inputs, units: units, activation: .relu)
            let x = randomTensor([rows, inputs], seed: 33)
            let y = dense.forward(x, training: false).data
            var expected = [Float](repeating: 0, count: rows * units)
            x.data.withUnsafeBufferPointer { xp in
                dense.kernel.value.data.withUnsafeBufferPointer { wp in
                    expected.withUnsafeMutableBufferPointer { whole(a: xp.baseAddress!, b: wp.baseAddress!, c: $0.baseAddress!) }
                }
            }
            let b = dense.bias.value.data
            for i in expected.indices { expected[i] = max(expected[i] + b[i % units], 0) }
            XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern), "\(rows) x \(inputs) -> \(units)")
        }
    }

    /// A kernel changed between two inference calls, one element in place or the whole tensor, reaches
    /// the second call: its output equals a new layer's with the same weights, bit for bit. Without the
    /// version check the second call would read the panels of the first kernel.
    func testInferenceReadsAKernelChangedBetweenCalls() throws {
        let (rows, inputs, units) = shapes[0]
        let dense = try layer(inputs: inputs, units: units, activation: .relu)
        let x = randomTensor([rows, inputs], seed: 34)
        let before = dense.forward(x, training: false).data
        XCTAssertEqual(dense.forward(x, training: false).data, before, "unchanged kernel, same output")

        dense.kernel.value.data[2 * units + 3] += 0.5                          // one element, in place
        let afterElement = dense.forward(x, training: false).data
        XCTAssertNotEqual(afterElement, before, "an element changed in place changes the output")
        XCTAssertEqual(afterElement.map(\.bitPattern), try fresh(like: dense, x).map(\.bitPattern), "after the element")

        dense.kernel.value = Tensor(shape: [inputs, units], data: dense.kernel.value.data.map { -0.5 * $0 })  // whole
        let afterWhole = dense.forward(x, training: false).data
        XCTAssertNotEqual(afterWhole, afterElement, "a new kernel changes the output")
        XCTAssertEqual(afterWhole.map(\.bitPattern), try fresh(like: dense, x).map(\.bitPattern), "after the new kernel")
    }

    /// A new Dense with `source`'s weights, its inference output on x.
    private func fresh(like source: Dense, _ x: Tensor) throws -> [Float] {
        let copy = try built(Dense(units: source.units, activation: source.activation), [x.shape[1]], seed: 9)
        for (target, weight) in zip(copy.parameters, source.parameters) { target.value = weight.value }
        return copy.forward(x, training: false).data
    }
}
