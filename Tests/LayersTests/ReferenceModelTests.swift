import Layers
import Tensor
import TestSupport
import XCTest

/// Whole-model checks against Keras (Tests/Fixtures/make_model_fixtures.py).
final class ReferenceModelTests: XCTestCase {
    func testParameterCountsEqualKeras() throws {
        XCTAssertEqual(try ReferenceModels.cnn().parameterCount, 499_402)
        XCTAssertEqual(try ReferenceModels.rnn().parameterCount, 216_018)
        let names = try ReferenceModels.cnn().namedParameters.map(\.name)
        XCTAssertEqual(Array(names.prefix(4)), ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias"])
        XCTAssertEqual(names.last, "dense_2/bias")
    }

    /// A model fixture's batch and loss, with the model's weights set as the script set them.
    func loadFixture(_ name: String, into model: Sequential) throws
        -> (file: SafeTensors.File, x: Tensor, labels: [Int32], loss: SoftmaxCrossEntropy) {
        let f = try Fixtures.load("models/\(name).safetensors")
        DeterministicWeights.assign(to: model)
        return (f, try f.tensor("x"), try f.integers("labels").values.map(Int32.init),
                SoftmaxCrossEntropy(classWeights: try f.tensor("class_weights").data))
    }

    /// Forward probabilities, weighted loss and every weight gradient of a small CNN and RNN.
    func checkGradientFixture(_ name: String, _ model: Sequential) throws {
        let (f, x, labels, loss) = try loadFixture(name, into: model)
        let p = model.forward(x, training: false)
        assertClose(p, try f.tensor("probabilities"), "\(name) probabilities")
        var dz = Tensor.empty
        let value = loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &dz).loss
        XCTAssertEqual(value, Double(try f.tensor("loss").data[0]), accuracy: 1e-5, "\(name) loss")
        model.zeroGrad()
        model.backward(dz, preActivation: true, inputGradient: false)   // as training runs it
        for (j, (pname, param)) in model.namedParameters.enumerated() {
            assertGradientClose(param.grad, try f.tensor("grad/\(j)"), "\(name) gradient of \(pname)")
        }
        assertClose(model.infer(x), try f.tensor("probabilities"), "\(name) probabilities through infer")
    }

    func testSmallCNNMatchesKerasOutputsLossAndGradients() throws {
        try checkGradientFixture("cnn_small", ReferenceModels.cnn(filters: [4, 4, 8, 8], dense: [16, 8], classes: 3))
    }

    func testSmallRNNMatchesKerasOutputsLossAndGradients() throws {
        try checkGradientFixture("rnn_small", ReferenceModels.rnn(units: [8, 8], dense: [8, 6, 4, 2], classes: 3))
    }

    /// Five Adam steps (Keras form) on the full-size reference model follow Keras's losses.
    func checkAdamTrajectory(_ name: String, _ model: Sequential) throws {
        let (f, x, labels, loss) = try loadFixture(name, into: model)
        let adam = Adam(learningRate: 1e-3)
        var dz = Tensor.empty
        var losses: [Float] = []
        for _ in 0..<5 {
            model.zeroGrad()
            let p = model.forward(x, training: false)   // dropout off: Keras's masks cannot be reproduced
            losses.append(Float(loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &dz).loss))
            model.backward(dz, preActivation: true)
            adam.step(model.parameters)
        }
        assertClose(losses, try f.tensor("losses").data, tolerance: 1e-3, "\(name) loss trajectory")
        assertClose(model.forward(x, training: false), try f.tensor("probabilities_after"), tolerance: 1e-3,
                    "\(name) probabilities after five steps")
        assertClose(model.infer(x), try f.tensor("probabilities_after"), tolerance: 1e-3,
                    "\(name) probabilities after five steps, through infer")
    }

    func testReferenceCNNFollowsKerasAdamTrajectory() throws {
        try checkAdamTrajectory("cnn_reference_adam", ReferenceModels.cnn())
    }

    func testReferenceRNNFollowsKerasAdamTrajectory() throws {
        try checkAdamTrajectory("rnn_reference_adam", ReferenceModels.rnn())
    }

    /// Both reference models, dropout active, learn a small random batch to 100% training accuracy.
    func checkOverfits(_ model: Sequential, inputShape: [Int], steps: Int) {
        var rng = RandomGenerator(seed: 21)
        let n = 20
        let count = n * inputShape.reduce(1, *)
        let x = Tensor(shape: [n] + inputShape, data: (0..<count).map { _ in rng.nextUniform() })
        let labels = (0..<n).map { Int32($0 % 10) }
        let adam = Adam(learningRate: 1e-3), loss = SoftmaxCrossEntropy()
        var dz = Tensor.empty
        var accuracy = 0.0
        for s in 0..<steps {
            model.reseed(UInt64(s))
            model.zeroGrad()
            _ = loss.evaluate(probabilities: model.forward(x, training: true), labels: labels,
                              preActivationGradient: &dz)
            model.backward(dz, preActivation: true)
            adam.step(model.parameters)
            if s % 10 == 9 {
                let p = model.forward(x, training: false)
                accuracy = Double((0..<n).filter { r in
                    let row = p.data[(r * 10)..<(r * 10 + 10)]
                    return row.firstIndex(of: row.max()!)! - r * 10 == Int(labels[r])
                }.count) / Double(n)
                if accuracy == 1 { break }
            }
        }
        XCTAssertEqual(accuracy, 1, "training accuracy after at most \(steps) steps")
    }

    func testReferenceCNNOverfitsASmallBatch() throws {
        checkOverfits(try ReferenceModels.cnn(seed: 3), inputShape: [9, 13, 1], steps: 300)
    }

    func testReferenceRNNOverfitsASmallBatch() throws {
        checkOverfits(try ReferenceModels.rnn(seed: 3), inputShape: [9, 13], steps: 400)
    }
}
