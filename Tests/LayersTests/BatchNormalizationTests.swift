import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

final class BatchNormalizationTests: XCTestCase {
    // MARK: tier 1: Keras fixtures (training and inference mode, moving statistics after one call)

    func testRank2MatchesKeras() throws { try checkBatchNormFixture(BatchNormalization(), "batchnorm_2d") }

    func testRank3WithMomentumAndEpsilonMatchesKeras() throws {
        try checkBatchNormFixture(BatchNormalization(momentum: 0.8, epsilon: 0.01), "batchnorm_3d")
    }

    func testRank4MatchesKeras() throws { try checkBatchNormFixture(BatchNormalization(), "batchnorm_4d") }

    func testWithoutCenterAndScaleMatchesKeras() throws {
        try checkBatchNormFixture(BatchNormalization(center: false, scale: false), "batchnorm_plain")
    }

    // MARK: tier 2: finite differences

    func testGradientsInTraining() throws {
        let layer = try built(BatchNormalization(), [3, 4, 3])
        randomize(layer, seed: 61)
        checkGradients(layer, input: randomTensor([2, 3, 4, 3], seed: 62), training: true)
    }

    func testGradientsInTrainingRank2WithoutScale() throws {
        let layer = try built(BatchNormalization(scale: false), [4])
        randomize(layer, seed: 63)
        checkGradients(layer, input: randomTensor([6, 4], seed: 64), training: true)
    }

    func testGradientsAtInference() throws {
        let layer = try built(BatchNormalization(), [5, 2])
        randomize(layer, seed: 65)
        checkGradients(layer, input: randomTensor([3, 5, 2], seed: 66), training: false)
    }

    // MARK: weights, state, models

    func testKerasNamesOrderAndInitialValues() throws {
        let layer = try built(BatchNormalization(), [7, 3])
        XCTAssertEqual(layer.name, "batch_normalization")
        XCTAssertEqual(layer.kind, "BatchNormalization")
        XCTAssertEqual(layer.momentum, 0.99)
        XCTAssertEqual(layer.epsilon, 1e-3)
        XCTAssertEqual(layer.parameters.map(\.name), ["gamma", "beta"])
        XCTAssertEqual(layer.state.map(\.name), ["moving_mean", "moving_variance"])
        XCTAssertEqual(layer.gamma.value, Tensor(shape: [3], repeating: 1))
        XCTAssertEqual(layer.beta.value, Tensor(shape: [3], repeating: 0))
        XCTAssertEqual(layer.movingMean.value, Tensor(shape: [3], repeating: 0))
        XCTAssertEqual(layer.movingVariance.value, Tensor(shape: [3], repeating: 1))
        XCTAssertEqual(try built(BatchNormalization(center: false), [3]).parameters.map(\.name), ["gamma"])
        XCTAssertEqual(try built(BatchNormalization(scale: false), [3]).parameters.map(\.name), ["beta"])
        XCTAssertThrowsError(try BatchNormalization().outputShape(for: []))
        XCTAssertThrowsError(try BatchNormalization(epsilon: 0).outputShape(for: [3]))
    }

    /// Inference is the per-channel affine of the moving statistics, and `infer` (the inference
    /// plan) gives the same as `forward(training: false)`; the statistics go through weight files.
    func testModelInferenceAndWeightFileCarryTheMovingStatistics() throws {
        let folder = try makeTemporaryFolder("earmark-bn")
        defer { try? FileManager.default.removeItem(at: folder) }
        func model(_ seed: UInt64) throws -> Sequential {
            try Sequential(inputShape: [4, 5, 2],
                           layers: [Conv2D(filters: 3, kernelSize: (3, 3), padding: .same), BatchNormalization(),
                                    GlobalAveragePooling2D(), Dense(units: 2)], seed: seed)
        }
        let m = try model(1)
        let x = randomTensor([6, 4, 5, 2], seed: 67)
        for _ in 0..<3 { _ = m.forward(x, training: true) }
        XCTAssertEqual(m.namedState.map(\.name),
                       ["batch_normalization/moving_mean", "batch_normalization/moving_variance"])
        XCTAssertEqual(m.parameterCount, (3 * 3 * 2 * 3 + 3) + 2 * 3 + (3 * 2 + 2))
        let viaForward = m.forward(x, training: false).data.map { $0 }
        assertClose(m.infer(x).data, viaForward, tolerance: 1e-5, "infer vs forward")
        let url = folder.appendingPathComponent("bn.safetensors")
        try WeightFile.save(m, to: url)
        let other = try model(2)
        try WeightFile.assign(try WeightFile.read(url).weights, to: other, source: url.path)
        for (a, b) in zip(other.state, m.state) { XCTAssertEqual(a.value, b.value) }
        XCTAssertEqual(other.forward(x, training: false).data, viaForward)
    }

    func testBuffersAreReused() throws {
        let layer = try built(BatchNormalization(), [3, 4])
        let x = randomTensor([5, 3, 4], seed: 68), dy = randomTensor([5, 3, 4], seed: 69)
        let y = storageAddress(layer.forward(x, training: true))
        let dx = storageAddress(layer.backward(dy))
        XCTAssertEqual(storageAddress(layer.forward(x, training: false)), y)
        XCTAssertEqual(storageAddress(layer.backward(dy)), dx)
    }

    /// Random gamma, beta and moving statistics (variance in [0.5, 1.5]).
    private func randomize(_ layer: BatchNormalization, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        let c = layer.movingMean.value.count
        layer.gamma.value = Tensor(shape: [c], data: (0..<c).map { _ in 1 + 0.5 * rng.nextNormal() })
        layer.beta.value = Tensor(shape: [c], data: (0..<c).map { _ in 0.5 * rng.nextNormal() })
        layer.movingMean.value = Tensor(shape: [c], data: (0..<c).map { _ in 0.5 * rng.nextNormal() })
        layer.movingVariance.value = Tensor(shape: [c], data: (0..<c).map { _ in 0.5 + rng.nextUniform() })
    }
}

/// Compares a batch normalization with Tests/Fixtures/layers/<name>.safetensors
/// (make_bn_pool_fixtures.py): inference mode from the fixture's moving statistics, then one
/// training call (outputs, every gradient, the moving statistics after it), each within 1e-4.
func checkBatchNormFixture(_ layer: BatchNormalization, _ name: String,
                           file: StaticString = #filePath, line: UInt = #line) throws {
    let f = try Fixtures.load("layers/\(name).safetensors")
    let x = try f.tensor("x"), dy = try f.tensor("dy")
    var rng = RandomGenerator(seed: 1)
    try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
    XCTAssertEqual(layer.parameters.map { "train/grad/" + $0.name }.sorted(),
                   f.tensors.keys.filter { $0.hasPrefix("train/grad/") }.sorted(), "\(name): weights",
                   file: file, line: line)
    for p in layer.parameters { p.value = try f.tensor(p.name) }
    for s in layer.state { s.value = try f.tensor(s.name) }
    var report: [String] = []
    for (mode, training) in [("infer", false), ("train", true)] {
        layer.zeroGrad()
        let y = layer.forward(x, training: training)
        let expected = try f.tensor("\(mode)/y")
        assertClose(y, expected, "\(name): \(mode)/y", file: file, line: line)
        let dx = layer.backward(dy), expectedDx = try f.tensor("\(mode)/dx")
        assertGradientClose(dx, expectedDx, "\(name): \(mode)/dx", file: file, line: line)
        report.append("\(mode) y \(maxDifference(y, expected)) dx \(maxDifference(dx, expectedDx))")
        for p in layer.parameters {
            let g = try f.tensor("\(mode)/grad/\(p.name)")
            assertGradientClose(p.grad, g, "\(name): \(mode)/grad/\(p.name)", file: file, line: line)
            report.append("grad/\(p.name) \(maxDifference(p.grad, g))")
        }
    }
    for s in layer.state {
        let expected = try f.tensor("train/\(s.name)")
        assertClose(s.value, expected, tolerance: 1e-5, "\(name): \(s.name) after one step", file: file, line: line)
        report.append("\(s.name) \(maxDifference(s.value, expected))")
    }
    print("fixture \(name): max |diff| " + report.joined(separator: ", "))
}
