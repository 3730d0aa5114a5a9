import XCTest
import Layers
import Tensor

/// A ReLU convolution followed by a max pool: `Sequential` lets the pool's backward apply the ReLU's
/// derivative (`MaxPool2D.rectifiesGradient`) and the convolution skip its own pass
/// (`Conv2D.receivesPreActivationGradient`). The gradients must be those of the two layers run apart,
/// bit for bit: the same condition (output > 0) on the same values.
final class PoolRectifiedGradientTests: XCTestCase {
    /// The pools this covers: 2x2 valid (the reference CNN's, with the crop), 'same' on odd sizes,
    /// and overlapping 3x3 windows of stride 1 (a maximum shared by several windows).
    private let pools: [() -> MaxPool2D] = [
        { MaxPool2D(poolSize: (2, 2)) },
        { MaxPool2D(poolSize: (2, 2), padding: .same) },
        { MaxPool2D(poolSize: (3, 3), strides: (1, 1)) },
    ]

    private func model(_ pool: MaxPool2D, channels: Int, activation: Activation = .relu) throws -> Sequential {
        try Sequential(inputShape: [9, 13, channels], layers: [
            Conv2D(filters: 20, kernelSize: (3, 3), padding: .same, activation: activation),
            pool, Flatten(), Dense(units: 3, activation: .softmax),
        ], seed: 11)
    }

    /// Input gradient and every weight gradient of one training pass.
    private func gradients(_ m: Sequential, _ x: Tensor) -> [Tensor] {
        m.zeroGrad()
        let p = m.forward(x, training: true)
        var dz = Tensor.empty
        _ = SoftmaxCrossEntropy().evaluate(probabilities: p, labels: [0, 1, 2, 1], preActivationGradient: &dz)
        let dx = m.backward(dz, preActivation: true)
        return [dx] + m.parameters.map(\.grad)
    }

    func testFusedGradientsEqualTheLayersApart() throws {
        // 1 channel: im2col; 16: the Winograd forward and kernel gradient
        for channels in [1, Conv2D.winogradMinimumChannels] {
            for (k, makePool) in pools.enumerated() {
                let fused = try model(makePool(), channels: channels)
                let apart = try model(makePool(), channels: channels)
                let conv = fused.layers[0] as! Conv2D, pool = fused.layers[1] as! MaxPool2D
                XCTAssertTrue(conv.receivesPreActivationGradient && pool.rectifiesGradient, "pool \(k): paired")
                (apart.layers[0] as! Conv2D).receivesPreActivationGradient = false
                (apart.layers[1] as! MaxPool2D).rectifiesGradient = false
                // biases below zero leave whole windows at 0 after the ReLU (no gradient either way)
                for m in [fused, apart] { (m.layers[0] as! Conv2D).bias.value = Tensor(shape: [20], repeating: -0.3) }
                let x = randomTensor([4, 9, 13, channels], seed: 30 + UInt64(k))
                let (a, b) = (gradients(fused, x), gradients(apart, x))
                for (i, (ga, gb)) in zip(a, b).enumerated() {
                    XCTAssertEqual(ga.shape, gb.shape)
                    XCTAssertEqual(ga.data, gb.data, "channels \(channels) pool \(k) gradient \(i)")
                }
                XCTAssertTrue(a[1].data.contains { $0 != 0 }, "the kernel gradient is not trivially zero")
            }
        }
    }

    /// Only a ReLU convolution directly before a max pool is paired.
    func testOtherActivationsAreNotPaired() throws {
        let m = try model(MaxPool2D(poolSize: (2, 2)), channels: 2, activation: .tanh)
        XCTAssertFalse((m.layers[0] as! Conv2D).receivesPreActivationGradient)
        XCTAssertFalse((m.layers[1] as! MaxPool2D).rectifiesGradient)
    }
}
