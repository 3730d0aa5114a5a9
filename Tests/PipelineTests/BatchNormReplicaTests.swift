import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// Batch normalization under data parallelism: each replica normalizes its own rows with their batch
/// statistics, so runs depend on the replica count but are identical for a fixed count, and after
/// every step the moving statistics are the mean over the replicas' shards, held by every replica.
final class BatchNormReplicaTests: XCTestCase {
    private func model() throws -> Sequential {
        try Sequential(inputShape: [4, 3, 2], layers: [
            BatchNormalization(momentum: 0.9),
            Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu),
            BatchNormalization(), GlobalAveragePooling2D(), Dense(units: 3, activation: .softmax),
        ], seed: 6)
    }

    private func batch(n: Int, seed: UInt64) -> (Tensor, [Int32]) {
        var rng = RandomGenerator(seed: seed)
        let x = Tensor(shape: [n, 4, 3, 2], data: (0..<n * 24).map { _ in 2 * rng.nextNormal() + 1 })
        return (x, (0..<n).map { _ in Int32(rng.nextInt(below: 3)) })
    }

    /// Losses and final weights and state (replica 0) of three steps with `replicas` replicas.
    private func run(replicas: Int, optimizer: Optimizer, n: Int = 7)
        throws -> (losses: [Double], weights: [[Float]], state: [[Float]]) {
        let engine = TrainingEngine(replicas: try (0..<replicas).map { _ in try model() })
        let loss = SoftmaxCrossEntropy()
        var losses: [Double] = []
        for step in 0..<3 {
            let (x, labels) = batch(n: n, seed: UInt64(40 + step))
            losses.append(engine.step(x, labels: labels, loss: loss, optimizer: optimizer).loss)
            for r in engine.replicas.dropFirst() {
                for (a, b) in zip(engine.model.state, r.state) { XCTAssertEqual(a.value, b.value, "replica state") }
            }
        }
        return (losses, engine.model.parameters.map { $0.value.data }, engine.model.state.map { $0.value.data })
    }

    func testRunsAreIdenticalForAFixedReplicaCount() throws {
        for replicas in [1, 2] {
            for makeOptimizer in [{ Adam(learningRate: 0.01) as Optimizer }, { SGD(learningRate: 0.1) }] {
                let a = try run(replicas: replicas, optimizer: makeOptimizer())
                let b = try run(replicas: replicas, optimizer: makeOptimizer())
                XCTAssertEqual(a.losses, b.losses, "\(replicas) replicas")
                XCTAssertEqual(a.weights, b.weights, "\(replicas) replicas")
                XCTAssertEqual(a.state, b.state, "\(replicas) replicas")
            }
        }
        // the shards' batch statistics differ from the whole batch's: the count changes the numbers
        let one = try run(replicas: 1, optimizer: Adam()), two = try run(replicas: 2, optimizer: Adam())
        XCTAssertNotEqual(one.losses, two.losses)
        XCTAssertNotEqual(one.state, two.state)
    }

    /// The first layer normalizes the raw input: after one step its moving statistics are
    /// moving * 0.9 + 0.1 * (the mean over the shards of each shard's mean / biased variance).
    func testMovingStatisticsAreTheMeanOverShards() throws {
        for (replicas, n) in [(2, 6), (2, 7), (3, 8)] {
            let engine = TrainingEngine(replicas: try (0..<replicas).map { _ in try model() })
            let (x, labels) = batch(n: n, seed: 50)
            _ = engine.step(x, labels: labels, loss: SoftmaxCrossEntropy(), optimizer: Adam())
            var expectedMean = [Double](repeating: 0, count: 2), expectedVariance = [Double](repeating: 0, count: 2)
            var start = 0
            for r in 0..<replicas {
                let rows = n / replicas + (r < n % replicas ? 1 : 0)
                let positions = rows * 12
                for c in 0..<2 {
                    let values = (0..<positions).map { Double(x.data[(start * 12 + $0) * 2 + c]) }
                    let mean = values.reduce(0, +) / Double(positions)
                    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(positions)
                    expectedMean[c] += (0.9 * 0 + 0.1 * mean) / Double(replicas)
                    expectedVariance[c] += (0.9 * 1 + 0.1 * variance) / Double(replicas)
                }
                start += rows
            }
            for replica in engine.replicas {
                let bn = replica.layers[0] as! BatchNormalization
                assertClose(bn.movingMean.value.data, expectedMean.map { Float($0) }, tolerance: 1e-6,
                            "\(replicas) replicas, n \(n): moving_mean")
                assertClose(bn.movingVariance.value.data, expectedVariance.map { Float($0) }, tolerance: 1e-6,
                            "\(replicas) replicas, n \(n): moving_variance")
            }
        }
    }
}
