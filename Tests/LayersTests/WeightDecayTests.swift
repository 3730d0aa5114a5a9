import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's decoupled `weight_decay` in Adam and SGD against Keras 3's own trajectories
/// (Tests/Fixtures/make_optimizer_fixtures.py): three variables, five steps of fixed gradients.
final class WeightDecayTests: XCTestCase {
    func run(_ optimizer: Optimizer, fixture f: SafeTensors.File, name: String) throws {
        let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
        for step in 0..<5 {
            for (i, p) in parameters.enumerated() { p.grad = try f.tensor("g\(step)_\(i)") }
            optimizer.step(parameters)
        }
        for (i, p) in parameters.enumerated() {
            let keras = try f.tensor("\(name)_\(i)")
            XCTAssertEqual(p.value.shape, keras.shape, name)
            assertClose(p.value.data, keras.data, tolerance: 2e-6, "\(name), variable \(i)")
        }
    }

    func testAdamAndSGDWithWeightDecayFollowKeras() throws {
        let f = try Fixtures.load("training/optimizers.safetensors")
        try run(Adam(learningRate: 0.01, weightDecay: 0.1), fixture: f, name: "adam")
        try run(Adam(learningRate: 0.01), fixture: f, name: "adam_plain")
        try run(SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 0.1), fixture: f, name: "sgd")
        try run(SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1), fixture: f,
                name: "sgd_nesterov")
    }

    /// The fixture can tell: the decay moves the weights well beyond the tolerance above.
    func testTheDecayIsVisibleInTheFixture() throws {
        let f = try Fixtures.load("training/optimizers.safetensors")
        let decayed = try f.tensor("adam_0").data, plain = try f.tensor("adam_plain_0").data
        XCTAssertGreaterThan(zip(decayed, plain).map { abs($0 - $1) }.max() ?? 0, 1e-3)
    }
}
