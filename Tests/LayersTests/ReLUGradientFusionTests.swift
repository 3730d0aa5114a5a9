import XCTest
import Layers
import Tensor

/// A ReLU convolution followed by a max pool or another convolution: `Sequential` lets the next
/// layer's backward apply the ReLU's derivative (`MaxPool2D.rectifiesGradient`,
/// `Conv2D.rectifiesInputGradient`) and the convolution skip its own pass
/// (`Conv2D.receivesPreActivationGradient`). The gradients must be those of the layers run apart,
/// bit for bit: the same condition (output > 0) on the same values.
final class ReLUGradientFusionTests: XCTestCase {
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

    /// Two and three ReLU convolutions in a row, the later ones with the Winograd input gradient (16
    /// or more filters) or col2im (fewer): every gradient equals the unpaired model's.
    func testConvolutionsAfterReLUConvolutionsGateTheirInputGradient() throws {
        for secondFilters in [24, 8] {
            func model() throws -> Sequential {
                try Sequential(inputShape: [9, 13, 3], layers: [
                    Conv2D(filters: 20, kernelSize: (3, 3), padding: .same, activation: .relu),
                    Conv2D(filters: secondFilters, kernelSize: (3, 3), padding: .same, activation: .relu),
                    Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu),
                    MaxPool2D(poolSize: (2, 2)), Flatten(), Dense(units: 3, activation: .softmax),
                ], seed: 12)
            }
            let fused = try model(), apart = try model()
            let convs = fused.layers.prefix(3).map { $0 as! Conv2D }
            XCTAssertEqual(convs.map(\.receivesPreActivationGradient), [true, true, true])
            XCTAssertEqual(convs.map(\.rectifiesInputGradient), [false, true, true])
            for layer in apart.layers.prefix(3) {
                let conv = layer as! Conv2D
                conv.receivesPreActivationGradient = false
                conv.rectifiesInputGradient = false
            }
            (apart.layers[3] as! MaxPool2D).rectifiesGradient = false
            for m in [fused, apart] {
                for layer in m.layers.prefix(3) {
                    let conv = layer as! Conv2D
                    conv.bias.value = Tensor(shape: conv.bias.value.shape, repeating: -0.2)
                }
            }
            let x = randomTensor([4, 9, 13, 3], seed: 44)
            let (a, b) = (gradients(fused, x), gradients(apart, x))
            for (i, (ga, gb)) in zip(a, b).enumerated() {
                XCTAssertEqual(ga.data, gb.data, "second conv \(secondFilters) filters: gradient \(i)")
            }
            XCTAssertTrue(a[1].data.contains { $0 != 0 }, "the first kernel gradient is not trivially zero")
        }
    }

    /// Only a ReLU convolution directly before a max pool is paired.
    func testOtherActivationsAreNotPaired() throws {
        let m = try model(MaxPool2D(poolSize: (2, 2)), channels: 2, activation: .tanh)
        XCTAssertFalse((m.layers[0] as! Conv2D).receivesPreActivationGradient)
        XCTAssertFalse((m.layers[1] as! MaxPool2D).rectifiesGradient)
    }
}
