import Layers
import Tensor
import TestSupport
import XCTest

/// `Sequential.infer` (the fused inference plan) must compute what the layers compute one by one:
/// the Winograd conv + pool step against im2col convolution followed by MaxPool2D, over the
/// geometries and activations it accepts, and the pairs it must leave alone. (Against Keras itself:
/// ReferenceModelTests runs `infer` on the Keras model fixtures too.)
final class InferencePlanTests: XCTestCase {
    private func randomBatch(_ shape: [Int], n: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let count = n * shape.reduce(1, *)
        return Tensor(shape: [n] + shape, data: (0..<count).map { _ in rng.nextUniform() * 2 - 1 })
    }

    /// Builds conv + pool alone and with a dense head after them (dropout, flatten, softmax), gives
    /// the biases non-zero values (so that adding the bias after the maximum is exercised), then
    /// compares `infer` with `forward(training: false)` on both models.
    private func check(input: [Int], filters: Int, padding: Padding, activation: Activation, n: Int,
                       fused: Int = 1, pool: @escaping () -> MaxPool2D = { MaxPool2D(poolSize: (2, 2)) },
                       conv: (() -> Conv2D)? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let makeConv = conv ?? {
            Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: activation)
        }
        let features = try Sequential(inputShape: input, layers: [makeConv(), pool()], seed: 11)
        let model = try Sequential(inputShape: input, layers: [makeConv(), pool(), Dropout(rate: 0.5), Flatten(),
                                                              Dense(units: 3, activation: .softmax)], seed: 11)
        var rng = RandomGenerator(seed: 5)
        for m in [features, model] {
            for p in m.parameters where p.name == "bias" {
                p.value = Tensor(shape: p.value.shape, data: p.value.data.map { _ in rng.nextUniform() - 0.5 })
            }
            XCTAssertEqual(m.fusedInferenceSteps, fused, "fused steps", file: file, line: line)
        }
        let x = randomBatch(input, n: n, seed: 7)
        let what = "\(input) \(padding) \(activation) n=\(n)"
        // the pooled features themselves, then the softmax after them
        let expectedFeatures = features.forward(x, training: false)
        assertClose(features.infer(x), expectedFeatures, tolerance: 2e-5, "pooled features \(what)",
                    file: file, line: line)
        let expected = model.forward(x, training: false)
        assertClose(model.infer(x), expected, tolerance: 2e-5, "probabilities \(what)", file: file, line: line)
        // a second call reuses the buffers and gives the same result
        assertClose(model.infer(x), expected, tolerance: 2e-5, "second call \(what)", file: file, line: line)
    }

    func testReferenceGeometrySamePaddingReLU() throws {
        try check(input: [9, 13, 1], filters: 16, padding: .same, activation: .relu, n: 3)
        try check(input: [9, 13, 24], filters: 40, padding: .same, activation: .relu, n: 2)
    }

    func testEvenAndOddSizesValidPadding() throws {
        try check(input: [8, 10, 3], filters: 5, padding: .valid, activation: .relu, n: 2)
        try check(input: [9, 7, 2], filters: 4, padding: .valid, activation: .linear, n: 2)
        try check(input: [6, 6, 2], filters: 3, padding: .same, activation: .tanh, n: 1)
        try check(input: [4, 5, 3], filters: 2, padding: .valid, activation: .sigmoid, n: 2)
    }

    func testEveryMonotonicActivation() throws {
        for activation in [Activation.linear, .relu, .tanh, .sigmoid, .hardSigmoid] {
            try check(input: [7, 9, 3], filters: 6, padding: .same, activation: activation, n: 2)
        }
    }

    /// More tiles than one block holds, and a last block that is not full.
    func testSeveralBlocksWithARemainder() throws {
        // C + F = 12: 256 tiles per block; 9x13 'same' pools to 4x6 = 24 tiles per image, 13 images = 312
        try check(input: [9, 13, 4], filters: 8, padding: .same, activation: .relu, n: 13)
        // one image (a batch smaller than a block)
        try check(input: [9, 13, 4], filters: 8, padding: .same, activation: .relu, n: 1)
    }

    /// Pairs the step does not compute run layer by layer, with the same results.
    func testPairsThatAreNotFusedStillInferCorrectly() throws {
        try check(input: [9, 13, 2], filters: 4, padding: .same, activation: .relu, n: 2, fused: 0,
                  conv: { Conv2D(filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same, activation: .relu) })
        try check(input: [9, 13, 2], filters: 4, padding: .same, activation: .relu, n: 2, fused: 0,
                  conv: { Conv2D(filters: 4, kernelSize: (5, 3), padding: .same, activation: .relu) })
        try check(input: [9, 13, 2], filters: 4, padding: .same, activation: .relu, n: 2, fused: 0,
                  pool: { MaxPool2D(poolSize: (2, 2), padding: .same) })
        try check(input: [9, 13, 2], filters: 4, padding: .same, activation: .relu, n: 2, fused: 0,
                  pool: { MaxPool2D(poolSize: (3, 3)) })
        try check(input: [9, 13, 2], filters: 4, padding: .same, activation: .relu, n: 2, fused: 0,
                  pool: { MaxPool2D(poolSize: (2, 2), strides: (1, 1)) })
    }

    /// The transformed kernel is cached between calls: a weight update in place (as the optimizers
    /// do) must still reach the next `infer`.
    func testWeightsChangedInPlaceReachTheNextInference() throws {
        let model = try Sequential(inputShape: [9, 13, 3], layers: [
            Conv2D(filters: 8, kernelSize: (3, 3), padding: .same, activation: .relu), MaxPool2D(poolSize: (2, 2)),
        ], seed: 2)
        let x = randomBatch([9, 13, 3], n: 2, seed: 4)
        let before = model.infer(x)
        let kernel = model.parameters[0]
        kernel.value.data.withUnsafeMutableBufferPointer { k in
            for i in stride(from: 0, to: k.count, by: 7) { k[i] += 0.25 }
        }
        let after = model.infer(x)
        assertClose(after, model.forward(x, training: false), tolerance: 2e-5, "after the update")
        XCTAssertGreaterThan(zip(before.data, after.data).map { abs($0 - $1) }.max()!, 0.01,
                             "the update changed the output")
        // and one step of Adam through the usual training path
        let adam = Adam(learningRate: 0.05)
        for p in model.parameters { p.grad = Tensor(shape: p.value.shape, repeating: 1) }
        adam.step(model.parameters)
        assertClose(model.infer(x), model.forward(x, training: false), tolerance: 2e-5, "after an Adam step")
    }

    /// Batch normalizations run as one affine pass of their moving statistics, with the `Activation`
    /// layer after them applied in the same step (relu, tanh, softmax over the channels) or without
    /// one: `infer` equals the layers' `forward(training: false)` up to rounding, and leaves each
    /// normalization no xhat to hold.
    func testNormalizationsFoldTheirStatisticsAndTheActivationAfterThem() throws {
        let model = try Sequential(inputShape: [9, 13, 2], layers: [
            Conv2D(filters: 8, kernelSize: (3, 3), padding: .same, useBias: false), BatchNormalization(),
            ActivationLayer(.relu), DepthwiseConv2D(DepthwiseWindow(padding: .same), useBias: false),
            BatchNormalization(scale: false), ActivationLayer(.tanh), Conv2D(filters: 6, kernelSize: (1, 1)),
            BatchNormalization(center: false), ActivationLayer(.softmax), BatchNormalization(),
            GlobalAveragePooling2D(), Dense(units: 3, activation: .softmax)], seed: 3)
        XCTAssertEqual(model.fusedNormalizationSteps, 3)
        var rng = RandomGenerator(seed: 8)
        for layer in model.layers {
            guard let norm = layer as? BatchNormalization else { continue }
            let c = norm.movingMean.value.count
            norm.movingMean.value = Tensor(shape: [c], data: (0..<c).map { _ in rng.nextNormal() })
            norm.movingVariance.value = Tensor(shape: [c], data: (0..<c).map { _ in 0.2 + rng.nextUniform() * 3 })
            for p in norm.parameters { p.value = Tensor(shape: [c], data: (0..<c).map { _ in 1 + 0.5 * rng.nextNormal() }) }
        }
        let x = randomBatch([9, 13, 2], n: 4, seed: 9)
        assertClose(model.infer(x), model.forward(x, training: false), tolerance: 1e-5, "folded normalizations")
        // the intermediate map of the first block, against the three layers one by one
        let block = try Sequential(inputShape: [9, 13, 2], layers: [
            Conv2D(filters: 8, kernelSize: (3, 3), padding: .same), BatchNormalization(), ActivationLayer(.relu)],
            seed: 3)
        let norm = try XCTUnwrap(block.layers[1] as? BatchNormalization)
        norm.movingMean.value = Tensor(shape: [8], data: (0..<8).map { _ in rng.nextNormal() })
        norm.movingVariance.value = Tensor(shape: [8], data: (0..<8).map { _ in 0.5 + rng.nextUniform() })
        let inferred = block.infer(x)
        XCTAssertTrue(inferred.data.allSatisfy { $0 >= 0 }, "the relu was applied")
        XCTAssertTrue(inferred.data.contains { $0 == 0 } && inferred.data.contains { $0 > 0 })
        assertClose(inferred, block.forward(x, training: false), tolerance: 1e-5, "conv, normalization, relu")
    }

    /// The full-size reference CNN fuses its last convolution with its pool.
    func testReferenceCNNFusesItsLastConvolution() throws {
        let model = try ReferenceModels.cnn()
        XCTAssertEqual(model.fusedInferenceSteps, 1)
        let x = randomBatch([9, 13, 1], n: 5, seed: 3)
        assertClose(model.infer(x), model.forward(x, training: false), tolerance: 1e-5, "reference CNN")
    }
}
