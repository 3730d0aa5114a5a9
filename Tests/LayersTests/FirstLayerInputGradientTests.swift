import Layers
import Tensor
import TestSupport
import XCTest

/// `Sequential.backward(_:preActivation:inputGradient: false)`, what training runs: the first layer
/// leaves out d loss / d input (`InputGradientOptional`: Conv2D, Dense, LSTM, GRU), and every
/// parameter gradient is bit for bit the one of the full backward pass.
final class FirstLayerInputGradientTests: XCTestCase {
    private func gradients(_ model: Sequential, _ x: Tensor, inputGradient: Bool) -> (grads: [[Float]], dx: Tensor) {
        let p = model.forward(x, training: true)
        let labels = (0..<x.shape[0]).map { Int32($0 % p.shape[1]) }
        var dz = Tensor.empty
        _ = SoftmaxCrossEntropy().evaluate(probabilities: p, labels: labels, preActivationGradient: &dz)
        model.zeroGrad()
        let dx = model.backward(dz, preActivation: true, inputGradient: inputGradient)
        return (model.parameters.map { $0.grad.data }, dx)
    }

    private func check(_ name: String, _ make: () throws -> Sequential, input: [Int]) throws {
        let x = randomTensor(input, seed: 51)
        // two models with the same weights and the same dropout stream, one per path
        let (full, trimmed) = (try make(), try make())
        let a = gradients(full, x, inputGradient: true)
        let b = gradients(trimmed, x, inputGradient: false)
        XCTAssertEqual(a.dx.shape, input, name)
        XCTAssertEqual(b.dx.count, 0, "\(name): the input gradient was left out")
        XCTAssertEqual(a.grads.count, b.grads.count, name)
        for (i, (ga, gb)) in zip(a.grads, b.grads).enumerated() {
            XCTAssertTrue(ga.contains { $0 != 0 }, "\(name): parameter \(i) has a gradient")
            XCTAssertEqual(ga.map(\.bitPattern), gb.map(\.bitPattern), "\(name): parameter \(i)")
        }
    }

    func testReferenceCNNConv2DFirst() throws {
        try check("CNN", { try ReferenceModels.cnn(classes: 3, seed: 3) }, input: [5, 9, 13, 1])
    }

    func testReferenceRNNLSTMFirst() throws {
        try check("RNN", { try ReferenceModels.rnn(units: [16, 16], dense: [8], classes: 3, seed: 3) }, input: [4, 9, 13])
    }

    func testDenseAndGRUFirst() throws {
        try check("Dense", {
            try Sequential(inputShape: [13], layers: [Dense(units: 8, activation: .relu),
                                                      Dense(units: 3, activation: .softmax)], seed: 4)
        }, input: [6, 13])
        try check("GRU", {
            try Sequential(inputShape: [9, 13], layers: [GRU(units: 8, returnSequences: false),
                                                         Dense(units: 3, activation: .softmax)], seed: 4)
        }, input: [3, 9, 13])
    }

    /// A first layer without the option (MaxPool2D here) still computes its input gradient.
    func testOtherFirstLayersStillReturnTheirInputGradient() throws {
        let model = try Sequential(inputShape: [4, 4, 2], layers: [MaxPool2D(poolSize: (2, 2)), Flatten(),
                                                                   Dense(units: 3, activation: .softmax)], seed: 5)
        let (_, dx) = gradients(model, randomTensor([2, 4, 4, 2], seed: 52), inputGradient: false)
        XCTAssertEqual(dx.shape, [2, 4, 4, 2])
    }
}
