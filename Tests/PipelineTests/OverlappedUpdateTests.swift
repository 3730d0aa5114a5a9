import Foundation
import Layers
@testable import Pipeline
import Tensor
import TestSupport
import XCTest

/// A layer that passes everything through and, in backward, first sleeps for `delay` seconds: one
/// replica's backward made slow, so that the other finishes its pass first and starts the update
/// while the slow one has not yet computed the gradients of the layers before this one.
private func slowBackward(delay: TimeInterval) -> PassThroughLayer {
    PassThroughLayer(name: "slow_backward") { if delay > 0 { Thread.sleep(forTimeInterval: delay) } }
}

/// The update overlapped with the replicas' backward passes (`OverlappedUpdate`) must give the same
/// weights, bit for bit, as the update after every pass, whichever replica is slower.
final class OverlappedUpdateTests: XCTestCase {
    /// A CNN whose first convolution sits before a layer that can be slowed down, and whose first
    /// dense kernel (90 x 100 = 9,000 elements) is cut into two pieces.
    private func cnn(delay: TimeInterval) throws -> Sequential {
        try Sequential(inputShape: [5, 6, 1], layers: [
            Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu),
            slowBackward(delay: delay), Flatten(),
            Dense(units: 100, activation: .relu), Dropout(rate: 0.3), Dense(units: 3, activation: .softmax),
        ], seed: 3)
    }

    private func batch(n: Int) -> (Tensor, [Int32]) {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor(shape: [n, 5, 6, 1], data: (0..<n * 30).map { _ in rng.nextUniform() })
        return (x, (0..<n).map { _ in Int32(rng.nextInt(below: 3)) })
    }

    /// Trains `steps` steps with and without the overlap; replica `slow` sleeps in backward.
    private func check(replicas: Int, slow: Int, optimizer: () -> Adam, steps: Int = 3,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, labels) = batch(n: 7)
        let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5])
        var weights: [[Tensor]] = []
        for overlap in [false, true] {
            let engine = TrainingEngine(replicas: try (0..<replicas).map { try cnn(delay: $0 == slow ? 0.02 : 0) })
            engine.overlapsUpdate = overlap
            engine.reseed(11)
            let opt = optimizer()
            for _ in 0..<steps { engine.step(x, labels: labels, loss: loss, optimizer: opt) }
            for replica in engine.replicas.dropFirst() {
                XCTAssertEqual(replica.parameters.map(\.value), engine.model.parameters.map(\.value),
                               "replicas hold the updated weights", file: file, line: line)
                XCTAssertTrue(replica.parameters.allSatisfy { $0.grad.data.allSatisfy { $0 == 0 } },
                              "gradients cleared for the next step", file: file, line: line)
            }
            weights.append(engine.model.parameters.map(\.value))
        }
        XCTAssertEqual(weights[1], weights[0], "overlapped update against the update after the passes",
                       file: file, line: line)
    }

    func testTwoReplicasWithTheSecondSlowAreTheUpdateAfterThePassesBitForBit() throws {
        try check(replicas: 2, slow: 1, optimizer: { Adam(learningRate: 0.01) })
    }

    func testTwoReplicasWithTheFirstSlowAreTheUpdateAfterThePassesBitForBit() throws {
        try check(replicas: 2, slow: 0, optimizer: { Adam(learningRate: 0.01) })
    }

    /// Clipping inside the overlapped update: by value, and by each parameter's norm, taken by the first
    /// thread to reach one of the parameter's pieces (the dense kernel has two) while the other waits
    /// for it; the same weights as clipping after the passes, whichever replica is slower.
    func testClippingByValueAndByNormAreTheUpdateAfterThePassesBitForBit() throws {
        for slow in [0, 1] {
            try check(replicas: 2, slow: slow, optimizer: { Adam(learningRate: 0.01, clipping: .norm(0.05)) })
            try check(replicas: 2, slow: slow, optimizer: { Adam(learningRate: 0.01, clipping: .value(0.002)) })
        }
        try check(replicas: 3, slow: 2, optimizer: { Adam(learningRate: 0.01, clipping: .norm(0.05)) })
    }

    /// More than two replicas take the update's general path (the sum, then the update, then the
    /// zeroed gradients) rather than the fused two-replica one.
    func testThreeReplicasAreTheUpdateAfterThePassesBitForBit() throws {
        try check(replicas: 3, slow: 2, optimizer: { Adam(learningRate: 0.01) })
    }

    /// The pieces cover every element of every parameter once, the last layer's first.
    func testPiecesCoverEveryParameterOnceInBackwardOrder() throws {
        let model = try cnn(delay: 0)
        let overlap = OverlappedUpdate(model: model, replicas: 1, pieceSize: 64)
        var covered = model.parameters.map { [Int](repeating: 0, count: $0.value.count) }
        for piece in overlap.pieces {
            for j in piece.elements { covered[piece.parameter][j] += 1 }
        }
        XCTAssertTrue(covered.allSatisfy { $0.allSatisfy { $0 == 1 } }, "every element exactly once")
        let layers = overlap.pieces.map(\.layer)
        XCTAssertEqual(layers, layers.sorted(by: >), "the last layer's pieces first")
        XCTAssertEqual(Set(layers), [5, 3, 0], "the layers with parameters")
        XCTAssertEqual(overlap.pieces.filter { $0.parameter == 2 }.count, (9000 + 63) / 64, "dense kernel pieces")
    }
}

extension OverlappedUpdateTests {
    /// Another engine made on the same models between two steps (a predictor on the trained network)
    /// does not take the models' progress reports from this one: each step installs its own.
    func testAnotherEngineOnTheSameModelsDoesNotStallTheSteps() throws {
        let models = try (0..<2).map { _ in try cnn(delay: 0) }
        let engine = TrainingEngine(replicas: models)
        let (x, labels) = batch(n: 6)
        let adam = Adam()
        engine.step(x, labels: labels, loss: SoftmaxCrossEntropy(), optimizer: adam)
        let other = TrainingEngine(replicas: [models[0]])
        other.step(x, labels: labels, loss: SoftmaxCrossEntropy(), optimizer: Adam())
        engine.step(x, labels: labels, loss: SoftmaxCrossEntropy(), optimizer: adam)
        XCTAssertTrue(models.allSatisfy { $0.backwardProgress == nil }, "no report left installed after a step")
    }
}
