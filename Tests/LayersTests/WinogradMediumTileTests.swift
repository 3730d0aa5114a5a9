import Layers
import Tensor
import TestSupport
import XCTest

/// Conv2D's F(3x3, 3x3) tiles (`Winograd3x3` with `outputTile` 3, Tensor/Winograd3x3Tiles.swift):
/// used for the forward pass, the kernel gradient and the input gradient where they take fewer
/// products than F(2x2, 3x3)'s (the reference CNN's 9 x 13 convolutions), edge tiles clipped;
/// checked against im2col (the layer with Winograd off) and finite differences.
final class WinogradMediumTileTests: XCTestCase {
    private let c = Conv2D.winogradMinimumChannels

    func testTileWithTheFewestProducts() throws {
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 9, width: 13, candidates: [2, 3, 4]), 3, "560 against 375")
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 8, width: 12, candidates: [2, 3, 4]), 4, "216")
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 8, width: 12, candidates: [2, 3]), 3, "384 against 300")
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 4, width: 6, candidates: [2, 3]), 2, "96 against 100")
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 1, width: 1, candidates: [2, 3]), 2, "a tie: the smaller")
        XCTAssertEqual(Winograd3x3.fewestProductsTile(height: 9, width: 13, candidates: [2]), 2)

        let layer = try built(Conv2D(filters: 8, kernelSize: (3, 3), padding: .same, activation: .relu), [9, 13, c])
        XCTAssertEqual(forwardPoints(layer, [9, 13, c]), 25)
        layer.mediumWinogradTiles = false
        XCTAssertEqual(forwardPoints(layer, [9, 13, c]), 16)
        XCTAssertNil(Winograd3x3(height: 9, width: 13, channels: c, filters: 8, padTop: 1, padLeft: 1,
                                 convolutionOutput: (9, 13), output: .maxPooled, outputTile: 3),
                     "F(3x3, 3x3) tiles write full outputs only")
        let w = Winograd3x3(height: 9, width: 13, channels: c, filters: 8, padTop: 1, padLeft: 1,
                            convolutionOutput: (9, 13), output: .full, outputTile: 3)
        XCTAssertEqual(w?.tiles(batch: 1), 15, "3 x 5 tiles, the last column of tiles clipped to 1 column")
        XCTAssertEqual(w?.points, 25)
    }

    /// Forward by F(3x3, 3x3) equals im2col + one product within 1e-5 of the largest output: both
    /// paddings, edge tiles clipped to 1 and 2 rows or columns, channels and filters not multiples of
    /// 16 (the scalar lanes), several blocks of tiles, non-zero biases, relu in the output transform.
    func testForwardMatchesIm2col() throws {
        let cases: [(input: [Int], filters: Int, padding: Padding, activation: Activation, batch: Int)] = [
            ([9, 13, c], 20, .same, .linear, 3), ([9, 13, 2 * c], 64, .same, .relu, 16),
            ([11, 15, c + 3], 17, .valid, .linear, 2), ([7, 7, c], 8, .same, .linear, 40), ([5, 8, c + 1], 3, .same, .linear, 2),
        ]
        for k in cases {
            let what = "\(k.input) -> \(k.filters) \(k.padding) \(k.activation) batch \(k.batch)"
            let layer = try built(Conv2D(filters: k.filters, kernelSize: (3, 3), padding: k.padding,
                                         activation: k.activation), k.input)
            XCTAssertEqual(forwardPoints(layer, k.input), 25, what)
            var rng = RandomGenerator(seed: 6)
            layer.bias.value = Tensor(shape: [k.filters], data: (0..<k.filters).map { _ in rng.nextUniform() - 0.5 })
            let x = randomTensor([k.batch] + k.input, seed: 8)
            let winograd = layer.forward(x, training: true)
            XCTAssertFalse(winograd.data.contains { $0.isNaN }, what)
            layer.winogradEnabled = false
            layer.releaseCache()
            assertWithinLargest(winograd, layer.forward(x, training: true), tolerance: 1e-5, what)
        }
    }

    /// The kernel gradient by F(3x3, 3x3) equals im2col's cols^T dz within 1e-5 of the largest entry.
    func testKernelGradientMatchesIm2col() throws {
        let cases: [([Int], Int, Padding, Int)] = [
            ([9, 13, c], 20, .same, 3), ([9, 13, 2 * c], 64, .same, 16), ([11, 15, c + 5], 16, .valid, 2),
            ([7, 7, c], 8, .same, 40),
        ]
        for (input, filters, padding, batch) in cases {
            let layer = try built(Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: .relu),
                                  input)
            XCTAssertEqual(forwardPoints(layer, input), 25, "\(input)")
            assertWinogradKernelGradientMatchesIm2col(layer, randomTensor([batch] + input, seed: 28),
                                                      "\(input) F \(filters) \(padding) batch \(batch)")
        }
    }

    /// The input gradient by F(3x3, 3x3) tiles run backwards equals im2col's dz W^T + col2im within
    /// 1e-5 of the largest entry, and gated by a ReLU's output it is the ungated one where x > 0.
    func testInputGradientMatchesCol2im() throws {
        let cases: [([Int], Int, Padding, Int)] = [
            ([9, 13, c], 32, .same, 40), ([9, 13, c + 1], 20, .same, 3), ([11, 15, c + 3], 17, .valid, 2),
            ([9, 13, 2 * c], 64, .same, 16),
        ]
        for (input, filters, padding, batch) in cases {
            let what = "\(input) -> \(filters) \(padding) batch \(batch)"
            let layer = try built(Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: .linear),
                                  input)
            XCTAssertEqual(forwardPoints(layer, input), 25, what)
            let x = randomTensor([batch] + input, seed: 51)
            var results: [Tensor] = []
            for enabled in [true, false] {
                layer.winogradEnabled = enabled
                let y = layer.forward(x, training: true)
                results.append(layer.backward(randomTensor(y.shape, seed: 52)))
            }
            assertWithinLargest(results[0], results[1], tolerance: 1e-5, what)

            layer.winogradEnabled = true
            let dy = randomTensor(layer.forward(x, training: true).shape, seed: 54)
            let ungated = layer.backward(dy).data
            layer.rectifiesInputGradient = true
            _ = layer.forward(x, training: true)
            XCTAssertEqual(layer.backward(dy).data, zip(x.data, ungated).map { $0 > 0 ? $1 : 0 }, what)
        }
    }

    /// Finite differences through the F(3x3, 3x3) forward, kernel gradient and input gradient (every
    /// parameter and the input), both paddings, clipped edge tiles.
    func testGradientsThroughMediumTiles() throws {
        try checkGradientsThroughTiles(points: 25, same: [5, 7, c], valid: [8, 10, c + 1])
    }
}
