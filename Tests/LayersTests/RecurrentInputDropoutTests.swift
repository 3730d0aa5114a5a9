@testable import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's `dropout` argument of LSTM and GRU: one mask per sequence and input feature, the same at
/// every step, in training only (`RecurrentInputDropout`).
final class RecurrentInputDropoutTests: XCTestCase {
    /// A layer with dropout and its twin without, with the same weights.
    private func pair(_ make: (Float) -> any RecurrentLayer, inputShape: [Int]) throws
        -> (any RecurrentLayer, any RecurrentLayer) {
        var rng = RandomGenerator(seed: 4)
        let dropped = make(0.5), plain = make(0)
        try dropped.build(inputShape: inputShape, using: &rng)
        try plain.build(inputShape: inputShape, using: &rng)
        for (a, b) in zip(dropped.parameters, plain.parameters) { b.value = a.value }
        return (dropped, plain)
    }

    private func mask(of layer: RecurrentLayer) -> Tensor {
        ((layer as? LSTM)?.inputDropout ?? (layer as! GRU).inputDropout).spatial.mask
    }

    /// Training: the output is the plain layer's on x times a (N, D) mask of 0 and 1 / (1 - rate),
    /// broadcast over the steps; dx is zero exactly at the dropped features, at every step.
    /// Inference and `training: false`: the plain layer's output.
    func testOneMaskPerSequenceForAllStepsInTrainingOnly() throws {
        let makers: [(Float) -> any RecurrentLayer] = [
            { LSTM(units: 5, returnSequences: true, dropout: $0) }, { GRU(units: 5, returnSequences: true, dropout: $0) },
        ]
        for make in makers {
            let (n, t, d) = (3, 6, 8)
            let (dropped, plain) = try pair(make, inputShape: [t, d])
            let x = randomTensor([n, t, d], seed: 11)
            let y = dropped.forward(x, training: true).data
            let m = mask(of: dropped)
            XCTAssertEqual(m.shape, [n, d])
            XCTAssertEqual(Set(m.data), [0, 2], "\(dropped.kind): a mask of 0 and 1 / (1 - 0.5)")
            var masked = x
            for s in 0..<n { for step in 0..<t { for j in 0..<d { masked.data[(s * t + step) * d + j] *= m.data[s * d + j] } } }
            XCTAssertEqual(y, plain.forward(masked, training: true).data, "\(dropped.kind): the plain layer on x * mask")
            let dx = dropped.backward(randomTensor([n, t, 5], seed: 12)).data
            for s in 0..<n {
                for j in 0..<d {
                    let column = (0..<t).map { dx[(s * t + $0) * d + j] }
                    XCTAssertEqual(column.allSatisfy { $0 == 0 }, m.data[s * d + j] == 0, "\(dropped.kind) dx[\(s), :, \(j)]")
                }
            }
            XCTAssertEqual(dropped.forward(x, training: false).data, plain.forward(x, training: false).data)
            XCTAssertEqual(try Sequential(inputShape: [t, d], layers: [dropped]).infer(x).data,
                           try Sequential(inputShape: [t, d], layers: [plain]).infer(x).data)
        }
    }

    /// A reseeded layer draws the same masks again; another seed draws others.
    func testReseedingRepeatsTheMasks() throws {
        let lstm = try XCTUnwrap(try pair({ LSTM(units: 4, dropout: $0) }, inputShape: [5, 16]).0 as? LSTM)
        let x = randomTensor([4, 5, 16], seed: 13)
        lstm.reseed(7)
        let first = lstm.forward(x, training: true).data, firstMask = mask(of: lstm).data
        _ = lstm.forward(x, training: true)
        XCTAssertNotEqual(mask(of: lstm).data, firstMask, "a new mask each step")
        lstm.reseed(7)
        XCTAssertEqual(lstm.forward(x, training: true).data, first)
        lstm.reseed(8)
        _ = lstm.forward(x, training: true)
        XCTAssertNotEqual(mask(of: lstm).data, firstMask)
        // training reseeds the model before every step (Sequential.reseed): it reaches the LSTM
        let model = try Sequential(inputShape: [5, 16], layers: [LSTM(units: 4, dropout: 0.5)])
        model.reseed(3)
        let a = model.forward(x, training: true).data
        model.reseed(3)
        XCTAssertEqual(model.forward(x, training: true).data, a)
        model.reseed(4)
        XCTAssertNotEqual(model.forward(x, training: true).data, a)
    }

    /// Both directions of a Bidirectional are reseeded, each with its own stream.
    func testBidirectionalReseedsBothDirections() throws {
        var rng = RandomGenerator(seed: 5)
        let layer = Bidirectional(GRU(units: 3, dropout: 0.5))
        try layer.build(inputShape: [4, 16], using: &rng)
        layer.reseed(9)
        _ = layer.forward(randomTensor([4, 4, 16], seed: 14), training: true)
        let masks = [layer.forwardLayer, layer.backwardLayer].map { mask(of: $0).data }
        XCTAssertEqual(masks[0].count, 64)
        XCTAssertNotEqual(masks[0], masks[1])
        XCTAssertEqual((layer.backwardLayer as? GRU)?.dropout, 0.5, "the twin keeps the rate")
    }

    /// Finite differences in training with one mask kept (`freezeMask`).
    func testGradientsWithAFixedMask() throws {
        for layer in [LSTM(units: 3, returnSequences: true, dropout: 0.3) as any RecurrentLayer,
                      GRU(units: 3, dropout: 0.3)] {
            var rng = RandomGenerator(seed: 6)
            try layer.build(inputShape: [4, 5], using: &rng)
            let dropout = (layer as? LSTM)?.inputDropout ?? (layer as! GRU).inputDropout
            dropout.spatial.freezeMask = true
            checkGradients(layer, input: randomTensor([2, 4, 5], seed: 15), training: true)
            XCTAssertTrue(dropout.spatial.mask.data.contains(0), "\(layer.kind): the check ran with dropped features")
        }
    }
}
