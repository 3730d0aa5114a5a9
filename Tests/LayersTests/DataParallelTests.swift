import Layers
import Tensor
import TestSupport
import XCTest

/// DataParallel must be the same computation as one model on the whole batch: the same loss, the
/// same updated weights and the same inference output (up to float summation order).
final class DataParallelTests: XCTestCase {
    private func cnn() throws -> Sequential {
        try Sequential(inputShape: [5, 6, 1], layers: [
            Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu),
            MaxPool2D(poolSize: (2, 2)), Flatten(),
            Dense(units: 5, activation: .tanh), Dense(units: 3, activation: .softmax),
        ], seed: 3)
    }

    private func rnn() throws -> Sequential {
        try Sequential(inputShape: [4, 3], layers: [
            LSTM(units: 5, returnSequences: true), TimeDistributed(Dense(units: 2, activation: .relu)),
            Flatten(), Dense(units: 3, activation: .softmax),
        ], seed: 4)
    }

    private func batch(_ shape: [Int], n: Int) -> (Tensor, [Int32]) {
        var rng = RandomGenerator(seed: 9)
        let count = n * shape.reduce(1, *)
        let x = Tensor(shape: [n] + shape, data: (0..<count).map { _ in rng.nextUniform() })
        return (x, (0..<n).map { _ in Int32(rng.nextInt(below: 3)) })
    }

    private func check(_ make: () throws -> Sequential, replicas: Int, n: Int) throws {
        let single = try make()
        let parallel = DataParallel(replicas: try (0..<replicas).map { _ in try make() })
        let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5])
        let (x, labels) = batch(single.inputShape, n: n)
        let a1 = Adam(), a2 = Adam()
        for _ in 0..<2 {
            single.zeroGrad()
            var dz = Tensor.empty
            let expected = loss.evaluate(probabilities: single.forward(x, training: true), labels: labels,
                                         preActivationGradient: &dz)
            single.backward(dz, preActivation: true)
            a1.step(single.parameters)
            let got = parallel.step(x, labels: labels, loss: loss, optimizer: a2)
            XCTAssertEqual(got.loss, expected.loss, accuracy: 1e-6)
            XCTAssertEqual(got.correct, expected.correct)
        }
        for (p, q) in zip(single.parameters, parallel.model.parameters) {
            assertClose(q.value, p.value, tolerance: 1e-5, "weights after two steps")
        }
        for replica in parallel.replicas.dropFirst() {
            for (p, q) in zip(parallel.model.parameters, replica.parameters) { XCTAssertEqual(p.value, q.value) }
        }
        assertClose(parallel.forward(x), single.forward(x, training: false), tolerance: 1e-5, "inference")
    }

    func testCNNTwoReplicasMatchOneModel() throws { try check(cnn, replicas: 2, n: 6) }
    func testRNNThreeReplicasUnevenBatchMatchOneModel() throws { try check(rnn, replicas: 3, n: 7) }
    func testMoreReplicasThanRows() throws { try check(cnn, replicas: 4, n: 2) }
}
