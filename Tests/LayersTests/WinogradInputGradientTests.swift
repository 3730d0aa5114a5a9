import Layers
import Tensor
import TestSupport
import XCTest

/// The input gradient of a convolution whose forward pass runs by Winograd: the forward's own tiles
/// backwards (dV = (A dz A^T) U^T, B dV B^T added into the padded dx: Tensor/WinogradInputGradient.swift),
/// beside the kernel gradient. Checked against im2col's dcols = dz W^T + col2im (the layer with
/// Winograd off); finite differences through it are in Conv2DTests and WinogradLargeTileTests.
final class WinogradInputGradientTests: XCTestCase {
    private let c = Conv2D.winogradMinimumChannels

    /// dx of `layer` for x and a fixed output gradient, with Winograd on and off.
    private func inputGradients(_ layer: Conv2D, _ x: Tensor) -> (winograd: Tensor, im2col: Tensor) {
        var results: [Tensor] = []
        for enabled in [true, false] {
            layer.winogradEnabled = enabled
            let y = layer.forward(x, training: true)
            results.append(layer.backward(randomTensor(y.shape, seed: 52)))
        }
        layer.winogradEnabled = true
        return (results[0], results[1])
    }

    /// F(2x2, 3x3), F(3x3, 3x3) (where these outputs take them unless told otherwise) and F(4x4, 3x3)
    /// tiles (the reference CNN's last convolution: 64 -> 128, cropped to 8 x 12), both paddings, edge
    /// tiles with missing rows and columns, a 1 x 1 input, channels not a multiple of 16 (the scalar
    /// lanes of the inverse transforms), several blocks of tiles.
    func testInputGradientMatchesCol2im() throws {
        let cases: [(input: [Int], filters: Int, padding: Padding, crop: (Int, Int)?, batch: Int, tolerance: Float)] = [
            ([9, 13, c], 32, .same, nil, 40, 1e-5), ([9, 13, c + 1], 20, .same, nil, 3, 1e-5),
            ([8, 7, c], 7, .valid, nil, 2, 1e-5), ([9, 9, 2 * c], 33, .valid, (6, 6), 2, 1e-5),
            ([1, 1, c], 16, .same, nil, 2, 1e-5),
            ([9, 13, 4 * c], 128, .same, (8, 12), 16, 2e-5), ([8, 12, c + 4], 24, .same, nil, 3, 2e-5),
            ([10, 14, c + 3], 17, .valid, nil, 2, 2e-5),
        ]
        for (k, medium) in cases.flatMap({ k in [false, true].map { (k, $0) } }) {
            let what = "\(k.input) -> \(k.filters) \(k.padding) crop \(String(describing: k.crop)) batch \(k.batch)"
                + " medium \(medium)"
            // linear: a ReLU's mask could differ where the two forwards round a pre-activation near 0
            let layer = try built(Conv2D(filters: k.filters, kernelSize: (3, 3), padding: k.padding, activation: .linear),
                                  k.input)
            layer.outputCrop = k.crop
            layer.mediumWinogradTiles = medium
            let points = layer.products(inputShape: k.input, batch: k.batch, inputGradient: true).backward
                .filter { $0.label.contains("dx Winograd dV") }.map(\.count)
            XCTAssertFalse(points.isEmpty, "\(what): the input gradient runs on the forward's tiles")
            let (winograd, im2col) = inputGradients(layer, randomTensor([k.batch] + k.input, seed: 51))
            assertWithinLargest(winograd, im2col, tolerance: k.tolerance, what)
        }
    }

    /// With `rectifiesInputGradient` the gradient is the ungated one where x > 0 and 0 elsewhere, bit
    /// for bit, on every tile size.
    func testGatedInputGradientIsTheUngatedOneWhereTheInputIsPositive() throws {
        for (input, crop, medium) in [([9, 13, c], nil, false), ([9, 13, c], nil, true), ([9, 13, 2 * c], (8, 12), true)]
            as [([Int], (Int, Int)?, Bool)] {
            let layer = try built(Conv2D(filters: 24, kernelSize: (3, 3), padding: .same, activation: .relu), input)
            layer.outputCrop = crop
            layer.mediumWinogradTiles = medium
            let x = randomTensor([3] + input, seed: 53)     // about half negative
            let y = layer.forward(x, training: true)
            let dy = randomTensor(y.shape, seed: 54)
            let ungated = layer.backward(dy).data
            layer.rectifiesInputGradient = true
            _ = layer.forward(x, training: true)
            let gated = layer.backward(dy).data
            XCTAssertEqual(gated, zip(x.data, ungated).map { $0 > 0 ? $1 : 0 }, "\(input)")
            XCTAssertTrue(gated.contains { $0 != 0 } && x.data.contains { $0 <= 0 }, "\(input): a real mask")
        }
    }

    /// A backward after a forward by im2col (Winograd switched on in between) makes the kernel
    /// transform U of the current weights itself instead of reading the one an earlier forward left
    /// (of other weights); after an inference forward of other inputs, it differentiates at those.
    func testInputGradientAfterOtherForwardsUsesTheCurrentKernelTransform() throws {
        let input = [9, 13, 2 * c]
        let layer = try built(Conv2D(filters: 24, kernelSize: (3, 3), padding: .same, activation: .relu), input)
        let (x, other) = (randomTensor([2] + input, seed: 55), randomTensor([2] + input, seed: 56))
        let dy = randomTensor(layer.forward(x, training: true).shape, seed: 52)   // U of the first weights
        for i in 0..<layer.kernel.value.count { layer.kernel.value.data[i] *= -0.5 }

        layer.winogradEnabled = false
        _ = layer.forward(x, training: true)
        layer.winogradEnabled = true
        let afterIm2col = layer.backward(dy).data
        _ = layer.forward(x, training: true)
        let expected = layer.backward(dy).data
        XCTAssertEqual(afterIm2col, expected, "im2col forward, Winograd backward")

        _ = layer.forward(other, training: true)
        let atOther = layer.backward(dy).data
        _ = layer.forward(x, training: true)
        _ = layer.forward(other, training: false)
        XCTAssertEqual(layer.backward(dy).data, atOther, "after an inference forward")
        XCTAssertNotEqual(atOther, expected)
    }
}
