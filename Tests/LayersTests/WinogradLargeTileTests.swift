import Layers
import Tensor
import TestSupport
import XCTest

/// Conv2D's F(4x4, 3x3) tiles (`Winograd3x3` with `outputTile` 4, Tensor/Winograd4x4.swift): used
/// for the forward pass and the kernel gradient when the computed output's sides are multiples of 4,
/// checked against im2col (the layer with Winograd off) and finite differences.
final class WinogradLargeTileTests: XCTestCase {
    private let c = Conv2D.winogradMinimumChannels

    func testLargeTilesOnlyWhereTheOutputSidesAreMultiplesOfFour() throws {
        let layer = try built(Conv2D(filters: 8, kernelSize: (3, 3), padding: .same, activation: .relu), [8, 12, c])
        XCTAssertEqual(forwardPoints(layer, [8, 12, c]), 36)
        layer.largeWinogradTiles = false
        XCTAssertEqual(forwardPoints(layer, [8, 12, c]), 25, "F(3x3, 3x3): 300 point products against 384")
        layer.mediumWinogradTiles = false
        XCTAssertEqual(forwardPoints(layer, [8, 12, c]), 16)
        let odd = try built(Conv2D(filters: 8, kernelSize: (3, 3), padding: .same, activation: .relu), [9, 13, c])
        XCTAssertEqual(forwardPoints(odd, [9, 13, c]), 25, "9 x 13 output: F(3x3, 3x3)")
        odd.mediumWinogradTiles = false
        XCTAssertEqual(forwardPoints(odd, [9, 13, c]), 16, "9 x 13 output without them: F(2x2, 3x3)")
        odd.outputCrop = (8, 12)
        XCTAssertEqual(forwardPoints(odd, [9, 13, c]), 36, "cropped to 8 x 12 before a pool: F(4x4, 3x3)")
        XCTAssertNil(Winograd3x3(height: 9, width: 13, channels: c, filters: 8, padTop: 1, padLeft: 1,
                                 convolutionOutput: (9, 13), output: .full, outputTile: 4))
        XCTAssertNil(Winograd3x3(height: 7, width: 9, channels: c, filters: 8, padTop: 1, padLeft: 1,
                                 convolutionOutput: (7, 9), output: .maxPooled, outputTile: 4), "pooled 3 x 4")
        let pooled = Winograd3x3(height: 9, width: 13, channels: c, filters: 8, padTop: 1, padLeft: 1,
                                 convolutionOutput: (9, 13), output: .maxPooled, outputTile: 4)
        XCTAssertEqual(pooled?.outputShape, [4, 6, 8], "pooled 4 x 6: 2 x 3 tiles of 2 x 2 pool windows")
    }

    /// The pooled output (2x2, stride-2 valid max pool of conv + bias) by F(4x4, 3x3) tiles, each
    /// covering 2 x 2 pool windows, equals the one by F(2x2, 3x3) tiles, one per window, within 1e-5
    /// of the largest output: odd and even sizes, both paddings, channels and filters not multiples of
    /// 16, several blocks.
    func testPooledOutputMatchesOneTilePerPoolWindow() {
        let cases: [(h: Int, w: Int, c: Int, f: Int, pad: Int, n: Int)] = [
            (9, 13, 64, 128, 1, 3), (10, 6, 5, 17, 0, 2), (9, 9, 16, 20, 1, 40), (4, 4, 3, 2, 1, 1),
        ]
        for k in cases {
            let out = (k.h + 2 * k.pad - 2, k.w + 2 * k.pad - 2)
            let shape = "\(k.h)x\(k.w)x\(k.c) -> \(k.f), pad \(k.pad), n \(k.n)"
            guard let large = Winograd3x3(height: k.h, width: k.w, channels: k.c, filters: k.f, padTop: k.pad,
                                          padLeft: k.pad, convolutionOutput: out, output: .maxPooled, outputTile: 4),
                  let small = Winograd3x3(height: k.h, width: k.w, channels: k.c, filters: k.f, padTop: k.pad,
                                          padLeft: k.pad, convolutionOutput: out, output: .maxPooled)
            else { XCTFail(shape); continue }
            XCTAssertEqual(large.outputShape, small.outputShape, shape)
            let x = randomTensor([k.n, k.h, k.w, k.c], seed: 31).data
            let kernel = randomTensor([3, 3, k.c, k.f], seed: 32).data
            let bias = randomTensor([k.f], seed: 33).data
            let results = [large, small].map { runWinograd($0, x: x, kernel: kernel, bias: bias, batch: k.n) }
            // unit-variance weights: outputs reach ~100, so the bound is relative to the largest
            let largest = results[1].map(abs).max() ?? 0
            let worst = largestDifference(results[0], results[1])
            XCTAssertGreaterThan(largest, 0, shape)
            XCTAssertLessThanOrEqual(worst, 1e-5 * largest, shape)
        }
    }

    /// Forward by F(4x4, 3x3) equals im2col + one product: both paddings, a crop, channels and
    /// filters not multiples of 16 (the scalar lanes), several blocks of tiles, non-zero biases.
    func testForwardMatchesIm2col() throws {
        let cases: [([Int], Int, Padding, (Int, Int)?, Int)] = [
            ([8, 12, c], 20, .same, nil, 3), ([10, 14, c + 3], 17, .valid, nil, 2), ([9, 13, 4 * c], 128, .same, (8, 12), 4),
            ([4, 4, 2 * c], 8, .same, nil, 40),
        ]
        for (input, filters, padding, crop, batch) in cases {
            let layer = try built(Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: .linear),
                                  input)
            layer.outputCrop = crop
            XCTAssertEqual(forwardPoints(layer, input), 36, "\(input)")
            var rng = RandomGenerator(seed: 6)
            layer.bias.value = Tensor(shape: [filters], data: (0..<filters).map { _ in rng.nextUniform() - 0.5 })
            let x = randomTensor([batch] + input, seed: 8)
            let winograd = layer.forward(x, training: true)
            layer.winogradEnabled = false
            layer.releaseCache()
            assertClose(winograd, layer.forward(x, training: true), tolerance: 2e-5, "\(input) \(padding)")
        }
    }

    /// The kernel gradient by F(4x4, 3x3) equals im2col's cols^T dz within 1e-5 of the largest entry.
    func testKernelGradientMatchesIm2col() throws {
        let cases: [([Int], Int, Padding, (Int, Int)?, Int)] = [
            ([8, 12, c], 20, .same, nil, 3), ([10, 6, c + 5], 16, .valid, nil, 2), ([9, 13, 4 * c], 128, .same, (8, 12), 16),
            ([4, 8, c], 8, .same, nil, 40),
        ]
        for (input, filters, padding, crop, batch) in cases {
            let layer = try built(Conv2D(filters: filters, kernelSize: (3, 3), padding: padding, activation: .relu),
                                  input)
            layer.outputCrop = crop
            XCTAssertEqual(forwardPoints(layer, input), 36, "\(input)")
            assertWinogradKernelGradientMatchesIm2col(layer, randomTensor([batch] + input, seed: 28),
                                                      "\(input) F \(filters) \(padding) batch \(batch)")
        }
    }

    /// Finite differences through the F(4x4, 3x3) forward and kernel gradient (every parameter and the
    /// input), both paddings.
    func testGradientsThroughLargeTiles() throws {
        try checkGradientsThroughTiles(points: 36, same: [4, 8, c], valid: [6, 10, c + 1])
    }
}
