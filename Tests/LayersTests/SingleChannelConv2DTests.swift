import Layers
import Tensor
import TestSupport
import XCTest

/// A one-channel `Conv2D` with a multiple of 16 filters runs forward and its kernel gradient by
/// `SingleChannelConvolution`; here against the same layer by im2col (`singleChannelKernelsEnabled`
/// off) and against finite differences.
final class SingleChannelConv2DTests: XCTestCase {
    func testSingleChannelKernelsMatchIm2col() throws {
        let cases: [([Int], Int, (Int, Int), (Int, Int), Padding, Activation)] = [
            ([9, 13, 1], 16, (3, 3), (1, 1), .same, .relu), ([8, 7, 1], 32, (3, 4), (2, 2), .same, .tanh),
            ([5, 6, 1], 16, (2, 3), (2, 1), .valid, .linear), ([1, 1, 1], 16, (3, 3), (1, 1), .same, .relu),
        ]
        for (input, filters, kernelSize, strides, padding, activation) in cases {
            let what = "\(input) F \(filters) \(kernelSize) \(strides) \(padding) \(activation)"
            let x = randomTensor([3] + input, seed: 61)
            func pass(direct: Bool) throws -> (y: Tensor, dx: Tensor, dw: Tensor, db: Tensor) {
                let layer = try built(Conv2D(filters: filters, kernelSize: kernelSize, strides: strides,
                                             padding: padding, activation: activation), input)
                var rng = RandomGenerator(seed: 62)
                layer.bias.value = Tensor(shape: [filters], data: (0..<filters).map { _ in rng.nextUniform() - 0.5 })
                layer.singleChannelKernelsEnabled = direct
                let y = layer.forward(x, training: true)
                let dx = layer.backward(randomTensor(y.shape, seed: 63))
                return (y, dx, layer.kernel.grad, layer.bias.grad)
            }
            let (direct, im2col) = (try pass(direct: true), try pass(direct: false))
            assertClose(direct.y, im2col.y, tolerance: 1e-5, "y " + what)
            assertClose(direct.dw, im2col.dw, tolerance: 1e-5, "kernel gradient " + what)
            // dz = dy f'(z) differs in the last bits where f' depends on z (tanh)
            assertClose(direct.db, im2col.db, tolerance: 1e-5, "bias gradient " + what)
            assertClose(direct.dx, im2col.dx, tolerance: 1e-5, "input gradient (col2im either way) " + what)
            if activation == .relu && input[0] > 1 {
                XCTAssertTrue(direct.y.data.contains(0), "relu clipped something: " + what)
            }
        }
    }

    func testGradientsThroughTheSingleChannelKernels() throws {
        let same = try built(Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .tanh), [4, 5, 1])
        checkGradients(same, input: randomTensor([2, 4, 5, 1], seed: 64), coordinates: 48)
        let strided = try built(Conv2D(filters: 16, kernelSize: (2, 3), strides: (2, 1), padding: .valid,
                                       activation: .sigmoid), [5, 6, 1])
        checkGradients(strided, input: randomTensor([2, 5, 6, 1], seed: 65), coordinates: 48)
    }
}
