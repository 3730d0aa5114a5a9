import Layers
import Tensor
import TestSupport
import XCTest

/// The LSTM and the GRU keep their kernels in column panels between calls (`PanelledMatrixProduct`)
/// and copy them again only when a weight's `Parameter.version` changed, so that inference reads
/// unchanged weights without copying them. A weight changed between two calls, one element in place
/// or the whole tensor, must reach the second call's output: it equals a new layer's with the same
/// weights, bit for bit.
final class RecurrentWeightChangeTests: XCTestCase {
    private func check(_ make: () -> Layer, _ kind: String) throws {
        let inputShape = [4, 3]
        var rng = RandomGenerator(seed: 5)
        let x = Tensor(shape: [2] + inputShape, data: (0..<24).map { _ in rng.nextNormal() })
        let layer = make()
        var buildRNG = RandomGenerator(seed: 1)
        try layer.build(inputShape: inputShape, using: &buildRNG)
        let kernel = try XCTUnwrap(layer.parameters.first { $0.name == "kernel" })
        let recurrent = try XCTUnwrap(layer.parameters.first { $0.name == "recurrent_kernel" })
        let before = layer.forward(x, training: false).data
        XCTAssertEqual(layer.forward(x, training: false).data, before, "\(kind): unchanged weights, same output")

        let recurrentVersion = recurrent.version
        recurrent.value.data[3] += 0.25                                      // one element, in place
        XCTAssertNotEqual(recurrent.version, recurrentVersion, "\(kind): an element write changes the version")
        kernel.value = Tensor(shape: kernel.value.shape, data: kernel.value.data.map { 0.5 * $0 })   // whole
        let after = layer.forward(x, training: false).data

        let fresh = make()
        var freshRNG = RandomGenerator(seed: 2)
        try fresh.build(inputShape: inputShape, using: &freshRNG)
        for (target, source) in zip(fresh.parameters, layer.parameters) { target.value = source.value }
        let expected = fresh.forward(x, training: false).data
        XCTAssertNotEqual(after, before, "\(kind): the changed weights change the output")
        XCTAssertEqual(after.map(\.bitPattern), expected.map(\.bitPattern),
                       "\(kind): output after the change against a new layer with the same weights")
    }

    func testLSTMReadsWeightsChangedBetweenCalls() throws {
        try check({ LSTM(units: 6, returnSequences: true) }, "LSTM")
    }

    func testGRUReadsWeightsChangedBetweenCalls() throws {
        try check({ GRU(units: 6, returnSequences: true) }, "GRU")
    }
}
