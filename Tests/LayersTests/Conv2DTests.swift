import Layers
import Tensor
import TestSupport
import XCTest

final class Conv2DTests: XCTestCase {
    // MARK: tier 1: Keras fixtures (Tests/Fixtures/make_conv_fixtures.py)

    func testSame3x3ReluOneChannelMatchesKeras() throws {
        try checkLayerFixture(Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu),
                              "conv2d_same_c1")
    }

    func testSame3x3ThreeChannelsMatchesKeras() throws {
        try checkLayerFixture(Conv2D(filters: 4, kernelSize: (3, 3), padding: .same), "conv2d_same_c3")
    }

    func testValid2x3Stride2x1MatchesKeras() throws {
        try checkLayerFixture(Conv2D(filters: 3, kernelSize: (2, 3), strides: (2, 1), padding: .valid),
                              "conv2d_valid_stride")
    }

    func testSameStride2AsymmetricPaddingMatchesKeras() throws {
        // H 8, KH 3: pad 0 top, 1 bottom; W 7, KW 4: pad 1 left, 2 right
        try checkLayerFixture(Conv2D(filters: 3, kernelSize: (3, 4), strides: (2, 2), padding: .same,
                                     activation: .sigmoid), "conv2d_same_stride2")
    }

    /// A pointwise (1x1, stride 1) convolution multiplies x itself and writes dx by its product alone:
    /// the same output, kernel, bias and input gradients as through im2col and col2im, bit for bit, for
    /// `valid` and `same`, a ReLU and a linear layer; a 1x1 convolution with stride 2 is not pointwise.
    func testPointwiseConvolutionSkipsIm2colAndChangesNothing() throws {
        for (padding, activation, strides) in [(Padding.valid, Activation.relu, (1, 1)), (.same, .linear, (1, 1)),
                                               (.same, .tanh, (2, 2))] {
            var rng = RandomGenerator(seed: 17)
            let x = Tensor(shape: [3, 5, 7, 6], data: (0..<630).map { _ in rng.nextNormal() })
            var results: [[[Float]]] = []
            for direct in [true, false] {
                var weights = RandomGenerator(seed: 18)
                let layer = Conv2D(filters: 4, kernelSize: (1, 1), strides: strides, padding: padding,
                                   activation: activation)
                layer.pointwiseWithoutIm2col = direct
                try layer.build(inputShape: [5, 7, 6], using: &weights)
                layer.bias.value = Tensor(shape: [4], data: [0.3, -0.2, 0.1, 0.5])
                let y = layer.forward(x, training: true).data
                let dy = Tensor(shape: layer.forward(x, training: true).shape,
                                data: (0..<y.count).map { Float($0 % 7) - 3 })
                let dx = layer.backward(dy).data
                results.append([y, dx, layer.kernel.grad.data, layer.bias.grad.data])
            }
            XCTAssertEqual(results[0], results[1], "\(padding) \(activation) strides \(strides)")
        }
        let pointwise = Conv2D(filters: 4, kernelSize: (1, 1), padding: .same)
        var rng = RandomGenerator(seed: 19)
        try pointwise.build(inputShape: [5, 7, 6], using: &rng)
        let x = Tensor(shape: [2, 5, 7, 6], data: (0..<420).map { _ in rng.nextNormal() })
        checkGradients(pointwise, input: x, coordinates: 16)
    }

    /// A smaller batch after a larger one resizes the buffers and gives the same per-image result.
    func testBatchSizeChangeMatchesFirstImage() throws {
        let f = try Fixtures.load("layers/conv2d_same_c1.safetensors")
        let x = try f.tensor("x"), y = try f.tensor("y")
        let layer = try built(Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu),
                              [9, 13, 1])
        layer.kernel.value = try f.tensor("kernel")
        layer.bias.value = try f.tensor("bias")
        _ = layer.forward(x, training: false)
        layer.releaseCache()
        let one = layer.forward(Tensor(shape: [1, 9, 13, 1], data: Array(x.data[0..<(9 * 13)])), training: false)
        assertClose(one, Tensor(shape: [1, 9, 13, 4], data: Array(y.data[0..<(9 * 13 * 4)])), "first image")
    }

    // MARK: tier 2: finite differences

    func testGradientsSameStride1() throws {
        let layer = try built(Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .tanh), [4, 5, 2])
        checkGradients(layer, input: randomTensor([2, 4, 5, 2], seed: 11))
    }

    func testGradientsSameStride2Relu() throws {
        let layer = try built(Conv2D(filters: 2, kernelSize: (3, 2), strides: (2, 2), padding: .same,
                                     activation: .relu), [5, 6, 2])
        checkGradients(layer, input: randomTensor([2, 5, 6, 2], seed: 12))
    }

    func testGradientsValidStrided() throws {
        let layer = try built(Conv2D(filters: 3, kernelSize: (2, 3), strides: (2, 1)), [5, 6, 1])
        checkGradients(layer, input: randomTensor([3, 5, 6, 1], seed: 13))
    }

    /// Through the Winograd forward (3x3, stride 1, enough channels): finite differences of that
    /// forward against the im2col backward, on F(2x2, 3x3) tiles and on the F(3x3, 3x3) ones these
    /// outputs otherwise take.
    func testGradientsThroughTheWinogradForward() throws {
        let c = Conv2D.winogradMinimumChannels
        for medium in [false, true] {
            let layer = try built(Conv2D(filters: 2, kernelSize: (3, 3), padding: .same, activation: .tanh), [3, 5, c])
            layer.mediumWinogradTiles = medium
            checkGradients(layer, input: randomTensor([2, 3, 5, c], seed: 14))
            let valid = try built(Conv2D(filters: 2, kernelSize: (3, 3), padding: .valid, activation: .linear),
                                  [5, 4, c])
            valid.mediumWinogradTiles = medium
            checkGradients(valid, input: randomTensor([1, 5, 4, c], seed: 15))
        }
    }

    /// Through the Winograd input gradient (3x3, stride 1, enough filters): dx = conv(dz, flipped
    /// kernel), padding 1 ('same') and 2 ('valid'), checked against finite differences.
    func testGradientsThroughTheWinogradInputGradient() throws {
        let f = Conv2D.winogradMinimumChannels
        let same = try built(Conv2D(filters: f, kernelSize: (3, 3), padding: .same, activation: .tanh), [5, 4, 3])
        checkGradients(same, input: randomTensor([2, 5, 4, 3], seed: 16))
        let valid = try built(Conv2D(filters: f, kernelSize: (3, 3), padding: .valid, activation: .sigmoid), [6, 5, 2])
        checkGradients(valid, input: randomTensor([2, 6, 5, 2], seed: 17))
    }

    /// The Winograd input gradient equals im2col's dcols + col2im, with a crop too (dz smaller than
    /// the convolution's full output).
    func testWinogradInputGradientMatchesCol2im() throws {
        let f = Conv2D.winogradMinimumChannels
        let cases: [([Int], Padding, (Int, Int)?)] = [([9, 13, 5], .same, (8, 12)), ([9, 13, 5], .same, nil),
                                                     ([8, 7, 3], .valid, nil), ([9, 9, 4], .valid, (6, 6))]
        for (input, padding, crop) in cases {
            let layer = try built(Conv2D(filters: f + 4, kernelSize: (3, 3), padding: padding, activation: .tanh),
                                  input)
            layer.outputCrop = crop
            let x = randomTensor([3] + input, seed: 18)
            var dx: [Tensor] = []
            for enabled in [true, false] {
                layer.winogradEnabled = enabled
                let y = layer.forward(x, training: true)
                dx.append(layer.backward(randomTensor(y.shape, seed: 19)))
            }
            assertClose(dx[0], dx[1], tolerance: 2e-5, "\(input) \(padding) crop \(String(describing: crop))")
        }
    }

    /// Through the Winograd forward and kernel gradient (3x3, stride 1, at least 16 input channels):
    /// the kernel gradient G^T [sum (A dz A^T) (.) (B^T x B)] G, padding 'same' and 'valid', checked
    /// against finite differences (every parameter and the input).
    func testGradientsThroughTheWinogradKernelGradient() throws {
        let c = Conv2D.winogradMinimumChannels
        let same = try built(Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .tanh), [5, 4, c])
        checkGradients(same, input: randomTensor([2, 5, 4, c], seed: 26), coordinates: 48)
        for medium in [false, true] {       // a 3 x 4 output: F(3x3, 3x3) unless told otherwise
            let valid = try built(Conv2D(filters: 2, kernelSize: (3, 3), padding: .valid, activation: .sigmoid),
                                  [5, 6, c + 1])
            valid.mediumWinogradTiles = medium
            checkGradients(valid, input: randomTensor([2, 5, 6, c + 1], seed: 27), coordinates: 48)
        }
    }

    /// The Winograd kernel gradient equals im2col's cols^T dz: odd and even sizes (edge tiles with
    /// missing rows and columns), both paddings, a crop before a pool, filters not a multiple of 16,
    /// several blocks of tiles; F(2x2, 3x3) tiles, and the F(3x3, 3x3) ones some of these outputs
    /// otherwise take. Within 1e-5 of the largest gradient entry.
    func testWinogradKernelGradientMatchesIm2col() throws {
        let c = Conv2D.winogradMinimumChannels
        let cases: [([Int], Int, Padding, (Int, Int)?, Int)] = [
            ([9, 13, c], 20, .same, (8, 12), 3), ([9, 13, c + 5], 16, .same, nil, 3), ([8, 7, c], 7, .valid, nil, 2),
            ([9, 9, 2 * c], 33, .valid, (6, 6), 2), ([1, 1, c], 16, .same, nil, 2), ([9, 13, c], 8, .same, nil, 40),
        ]
        for (input, filters, padding, crop, batch) in cases {
            for medium in [false, true] {
                let layer = try built(Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: .relu),
                                      input)
                layer.outputCrop = crop
                layer.mediumWinogradTiles = medium
                assertWinogradKernelGradientMatchesIm2col(
                    layer, randomTensor([batch] + input, seed: 28),
                    "\(input) F \(filters) \(padding) crop \(String(describing: crop)) batch \(batch) medium \(medium)")
            }
        }
    }

    /// The kernel gradient reads the padded input a training forward kept; after an inference
    /// forward (which keeps none) of other inputs it pads the last input itself, so backward still
    /// differentiates at the last forward's x.
    func testKernelGradientAfterAnInferenceForwardUsesItsInput() throws {
        let c = Conv2D.winogradMinimumChannels
        let (a, b) = (randomTensor([2, 9, 13, c], seed: 51), randomTensor([2, 9, 13, c], seed: 52))
        let dy = randomTensor([2, 9, 13, 20], seed: 53)
        func kernelGradient(_ passes: [(Tensor, Bool)]) throws -> Tensor {
            let layer = try built(Conv2D(filters: 20, kernelSize: (3, 3), padding: .same), [9, 13, c])
            for (x, training) in passes { _ = layer.forward(x, training: training) }
            layer.zeroGrad()
            _ = layer.backward(dy)
            return layer.kernel.grad
        }
        XCTAssertEqual(try kernelGradient([(a, true), (b, false)]).data, try kernelGradient([(b, true)]).data)
        XCTAssertNotEqual(try kernelGradient([(a, true)]).data, try kernelGradient([(b, true)]).data)
    }

    // MARK: Winograd forward

    /// The Winograd forward equals im2col + one product: both paddings, odd and even sizes (edge
    /// tiles clipped), a 1 x 1 image, every activation (softmax over the channels too), non-zero biases;
    /// F(2x2, 3x3) tiles, and the F(3x3, 3x3) ones some of these outputs otherwise take.
    func testWinogradForwardMatchesIm2col() throws {
        let c = Conv2D.winogradMinimumChannels
        for (input, padding) in [([9, 13, c], Padding.same), ([8, 10, c + 3], .same), ([9, 13, c], .valid),
                                 ([6, 7, 2 * c], .valid), ([1, 1, c], .same)] {
            for (activation, medium) in Activation.allCases.flatMap({ a in [false, true].map { (a, $0) } }) {
                let conv = Conv2D(filters: 20, kernelSize: (3, 3), padding: padding, activation: activation)
                let layer = try built(conv, input)
                layer.mediumWinogradTiles = medium
                var rng = RandomGenerator(seed: 6)
                layer.bias.value = Tensor(shape: [20], data: (0..<20).map { _ in rng.nextUniform() - 0.5 })
                let x = randomTensor([3] + input, seed: 8)
                let winograd = layer.forward(x, training: true)
                layer.winogradEnabled = false
                layer.releaseCache()
                assertClose(winograd, layer.forward(x, training: true), tolerance: 2e-5,
                            "\(input) \(padding) \(activation) medium \(medium)")
            }
        }
    }

    // MARK: output crop before a valid pool

    /// `Sequential` crops a convolution whose valid pool never reads its last row/column; the model's
    /// output, loss gradients and input gradient are those of the uncropped model.
    func testCropBeforeValidPoolChangesNothingButTheWork() throws {
        func model() throws -> Sequential {
            try Sequential(inputShape: [9, 13, 3], layers: [
                Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu),
                Conv2D(filters: 5, kernelSize: (3, 3), padding: .same, activation: .tanh),
                MaxPool2D(poolSize: (2, 2)), Flatten(), Dense(units: 3, activation: .softmax),
            ], seed: 4)
        }
        let cropped = try model(), full = try model()
        let conv = cropped.layers[1] as! Conv2D
        XCTAssertTrue(conv.outputCrop! == (8, 12))
        XCTAssertNil((cropped.layers[0] as! Conv2D).outputCrop, "no pool after the first convolution")
        (full.layers[1] as! Conv2D).outputCrop = nil
        let x = randomTensor([3, 9, 13, 3], seed: 21)
        let loss = SoftmaxCrossEntropy()
        var results: [(Tensor, Tensor, [Tensor])] = []
        for m in [cropped, full] {
            m.zeroGrad()
            let p = m.forward(x, training: true)
            var dz = Tensor.empty
            _ = loss.evaluate(probabilities: p, labels: [0, 1, 2], preActivationGradient: &dz)
            let dx = m.backward(dz, preActivation: true)
            results.append((p, dx, m.parameters.map(\.grad)))
        }
        let h = cropped.layers[0].forward(x, training: false)
        XCTAssertEqual(cropped.layers[1].forward(h, training: false).shape, [3, 8, 12, 5], "the cropped conv output")
        XCTAssertEqual(cropped.layerOutputShapes[1], [9, 13, 5], "the model still reports Keras's shape")
        assertClose(results[0].0, results[1].0, tolerance: 1e-6, "probabilities")
        assertClose(results[0].1, results[1].1, tolerance: 1e-6, "input gradient")
        for (a, b) in zip(results[0].2, results[1].2) { assertClose(a, b, tolerance: 1e-6, "weight gradients") }
    }

    func testNoCropWhenThePoolReadsEverything() throws {
        for pool in [MaxPool2D(poolSize: (2, 2), padding: .same), MaxPool2D(poolSize: (3, 3), strides: (1, 1)),
                     MaxPool2D(poolSize: (3, 3), strides: (3, 3))] {
            let m = try Sequential(inputShape: [9, 12, 1], layers: [
                Conv2D(filters: 2, kernelSize: (3, 3), padding: .same), pool,
            ])
            XCTAssertNil((m.layers[0] as! Conv2D).outputCrop, "\(pool.poolSize) \(pool.strides) \(pool.padding)")
        }
    }

    // MARK: shapes, parameters, buffers

    func testOutputShapes() throws {
        XCTAssertEqual(try Conv2D(filters: 16, kernelSize: (3, 3), padding: .same).outputShape(for: [9, 13, 1]),
                       [9, 13, 16])
        XCTAssertEqual(try Conv2D(filters: 8, kernelSize: (3, 3)).outputShape(for: [9, 13, 1]), [7, 11, 8])
        XCTAssertEqual(try Conv2D(filters: 8, kernelSize: (3, 3), strides: (2, 2), padding: .same)
            .outputShape(for: [9, 13, 3]), [5, 7, 8])
        XCTAssertEqual(try Conv2D(filters: 2, kernelSize: (2, 3), strides: (2, 1)).outputShape(for: [9, 13, 1]),
                       [4, 11, 2])
        XCTAssertEqual(try Conv2D(filters: 2, kernelSize: (5, 5), padding: .same).outputShape(for: [2, 2, 1]),
                       [2, 2, 2])
    }

    func testImpossibleShapesThrowNamingTheLayer() {
        let conv = Conv2D(filters: 4, kernelSize: (3, 3))
        conv.name = "conv2d_2"
        XCTAssertThrowsError(try conv.outputShape(for: [2, 13, 1])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("conv2d_2") && message.contains("[2, 13, 1]"), message)
        }
        XCTAssertThrowsError(try conv.outputShape(for: [9, 13]))
        XCTAssertThrowsError(try Conv2D(filters: 0, kernelSize: (3, 3)).outputShape(for: [9, 13, 1]))
        XCTAssertThrowsError(try Conv2D(filters: 2, kernelSize: (3, 3), strides: (0, 1)).outputShape(for: [9, 13, 1]))
    }

    func testParametersAndKerasInitialisation() throws {
        let conv = try built(Conv2D(filters: 32, kernelSize: (3, 3), padding: .same), [9, 13, 16])
        XCTAssertEqual(conv.parameterCount, 3 * 3 * 16 * 32 + 32)
        XCTAssertEqual(conv.parameters.map(\.name), ["kernel", "bias"])
        XCTAssertEqual(conv.kernel.value.shape, [3, 3, 16, 32])
        XCTAssertEqual(conv.bias.value.data, [Float](repeating: 0, count: 32))
        XCTAssertEqual(conv.name, "conv2d")
        XCTAssertEqual(conv.kind, "Conv2D")
        // Keras fans: fanIn = 3*3*16, fanOut = 3*3*32
        let limit = (6.0 / Float(9 * 16 + 9 * 32)).squareRoot()
        let top = conv.kernel.value.data.map(abs).max()!
        XCTAssertLessThanOrEqual(top, limit)
        XCTAssertGreaterThan(top, 0.9 * limit)
    }

    /// The reference CNN of docs/WORKFLOW.md §6.1 has 499,402 parameters for 10 classes.
    func testReferenceCNNParameterCount() throws {
        let layers: [Layer] = [
            Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu),
            Conv2D(filters: 32, kernelSize: (3, 3), padding: .same, activation: .relu),
            Conv2D(filters: 64, kernelSize: (3, 3), padding: .same, activation: .relu),
            Conv2D(filters: 128, kernelSize: (3, 3), padding: .same, activation: .relu),
            MaxPool2D(poolSize: (2, 2)), Dropout(rate: 0.5), Flatten(),
            Dense(units: 128, activation: .relu), Dense(units: 64, activation: .relu),
            Dense(units: 10, activation: .softmax),
        ]
        var shape = [9, 13, 1]
        var rng = RandomGenerator(seed: 1)
        for layer in layers {
            try layer.build(inputShape: shape, using: &rng)
            shape = try layer.outputShape(for: shape)
        }
        XCTAssertEqual(shape, [10])
        XCTAssertEqual(layers.reduce(0) { $0 + $1.parameterCount }, 499_402)
    }

    func testBuffersAreReusedAndWorkspaceIsShared() throws {
        let shared = Workspace()
        let a = try built(Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu), [5, 6, 2])
        let b = try built(Conv2D(filters: 3, kernelSize: (2, 2)), [5, 6, 4])
        a.workspace = shared
        b.workspace = shared
        let x = randomTensor([2, 5, 6, 2], seed: 21)
        let first = storageAddress(a.forward(x, training: true))
        a.releaseCache()
        let h = a.forward(x, training: true)
        XCTAssertEqual(storageAddress(h), first)
        let y = b.forward(h, training: true)
        // one buffer for both: the larger im2col, a (2*5*6, 3*3*2) = 1080 > b (2*4*5, 2*2*4) = 320
        XCTAssertEqual(shared.capacity, 2 * 5 * 6 * 3 * 3 * 2)
        let dh = b.backward(randomTensor(y.shape, seed: 22))
        a.zeroGrad()
        let dxAddress = storageAddress(a.backward(dh))
        XCTAssertEqual(shared.capacity, 2 * 5 * 6 * 3 * 3 * 2, "backward reuses the same workspace")
        let kernelOnce = a.kernel.grad.data.map { $0 }, biasOnce = a.bias.grad.data.map { $0 }
        XCTAssertEqual(storageAddress(a.backward(dh)), dxAddress)
        // backward adds into the parameter gradients
        assertClose(a.kernel.grad.data, kernelOnce.map { 2 * $0 }, "kernel grad after two backward calls")
        assertClose(a.bias.grad.data, biasOnce.map { 2 * $0 }, "bias grad after two backward calls")
    }
}

/// The kernel gradient of `layer` (with its crop) for x and a random output gradient, with Winograd on
/// and off (im2col): equal within 1e-5 of the largest entry, which must not be 0.
func assertWinogradKernelGradientMatchesIm2col(_ layer: Conv2D, _ x: Tensor, _ what: String,
                                               file: StaticString = #filePath, line: UInt = #line) {
    var gradients: [Tensor] = []
    for enabled in [true, false] {
        layer.winogradEnabled = enabled
        layer.zeroGrad()
        let y = layer.forward(x, training: true)
        _ = layer.backward(randomTensor(y.shape, seed: 29))
        gradients.append(layer.kernel.grad)
    }
    layer.winogradEnabled = true
    let largest = gradients[1].data.map(abs).max() ?? 0
    let worst = zip(gradients[0].data, gradients[1].data).map { abs($0 - $1) }.max() ?? .nan
    XCTAssertEqual(gradients[0].shape, gradients[1].shape, what, file: file, line: line)
    XCTAssertGreaterThan(largest, 0, what, file: file, line: line)
    XCTAssertLessThanOrEqual(worst, 1e-5 * largest, what, file: file, line: line)
}
