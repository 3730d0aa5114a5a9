import Layers
import Tensor
import TestSupport
import XCTest

/// The LSTM's and GRU's backward multiply each step's gate gradients by R^T held in column panels
/// (`PanelledMatrixProduct.packTransposed`), packed again at every backward. After the recurrent kernel
/// changes between two training passes, the second backward must read the new R: its input gradient and
/// weight gradients equal a new layer's with the same weights, bit for bit.
final class RecurrentBackwardPanelsTests: XCTestCase {
    private func check(_ make: () -> Layer, _ kind: String) throws {
        let inputShape = [5, 3]
        let x = randomTensor([2] + inputShape, seed: 51)
        let layer = make()
        var buildRNG = RandomGenerator(seed: 1)
        try layer.build(inputShape: inputShape, using: &buildRNG)
        let dy = randomTensor(try [2] + layer.outputShape(for: inputShape), seed: 52)
        let recurrent = try XCTUnwrap(layer.parameters.first { $0.name == "recurrent_kernel" })

        func pass(_ layer: Layer) -> [[UInt32]] {
            layer.zeroGrad()
            _ = layer.forward(x, training: true)
            let dx = layer.backward(dy)
            return [dx.data.map(\.bitPattern)] + layer.parameters.map { $0.grad.data.map(\.bitPattern) }
        }
        let before = pass(layer)
        recurrent.value = Tensor(shape: recurrent.value.shape, data: recurrent.value.data.map { 1.5 * $0 + 0.01 })
        let after = pass(layer)

        let fresh = make()
        var freshRNG = RandomGenerator(seed: 2)
        try fresh.build(inputShape: inputShape, using: &freshRNG)
        for (target, source) in zip(fresh.parameters, layer.parameters) { target.value = source.value }
        XCTAssertNotEqual(after[0], before[0], "\(kind): the new R changes the input gradient")
        let names = ["dx"] + layer.parameters.map(\.name)
        for (name, (got, expected)) in zip(names, zip(after, pass(fresh))) {
            let differing = zip(got, expected).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "\(kind): \(name) after the change, elements not bit for bit a new layer's")
        }
    }

    func testLSTMBackwardReadsTheRecurrentKernelOfThisPass() throws {
        try check({ LSTM(units: 40, returnSequences: true) }, "LSTM")
    }

    func testGRUBackwardReadsTheRecurrentKernelOfThisPass() throws {
        try check({ GRU(units: 40, returnSequences: true) }, "GRU")
    }
}
