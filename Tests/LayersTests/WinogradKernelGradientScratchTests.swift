import XCTest
import Tensor

/// `Winograd3x3.accumulateKernelGradient` reads nothing of its scratch it has not written (the first
/// block's products write S with beta 0 instead of adding to a zeroed S), and with the padded input
/// `run` kept it gives what it gives padding x itself.
final class WinogradKernelGradientScratchTests: XCTestCase {
    private func gradient(_ w: Winograd3x3, x: [Float], dz: [Float], batch n: Int, scratchFill: Float,
                          keptPadding: Bool) -> [Float] {
        var gradient = [Float](repeating: 0.25, count: 9 * w.channels * w.filters)   // accumulated into
        var scratch = [Float](repeating: scratchFill, count: w.kernelGradientScratchCount(batch: n))
        var padded = [Float](repeating: .nan, count: w.paddedInputCount(batch: n))
        if keptPadding {
            // a forward run writes the padded input where the layer keeps it
            let u = [Float](repeating: 0.1, count: w.transformedKernelCount)
            let bias = [Float](repeating: 0, count: w.filters)
            var y = [Float](repeating: 0, count: n * w.outputShape.reduce(1, *))
            var runScratch = [Float](repeating: .nan, count: w.scratchCount(batch: n))
            x.withUnsafeBufferPointer { xp in
                w.run(xp.baseAddress!, batch: n, transformedKernel: u, bias: bias, output: &y,
                      scratch: &runScratch, paddedInput: &padded)
            }
        }
        x.withUnsafeBufferPointer { xp in
            dz.withUnsafeBufferPointer { dzp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    padded.withUnsafeBufferPointer { pp in
                        w.accumulateKernelGradient(xp.baseAddress!, batch: n, outputGradient: dzp.baseAddress!,
                                                   into: &gradient, scratch: sp.baseAddress!,
                                                   paddedInput: keptPadding ? pp.baseAddress! : nil)
                    }
                }
            }
        }
        return gradient
    }

    func testStaleScratchAndKeptPaddingChangeNothing() throws {
        // F(2x2, 3x3) on 9 x 13 with 40 images: several blocks of tiles; F(4x4, 3x3) on 8 x 12
        for (tile, (oh, ow)) in [(2, (9, 13)), (4, (8, 12))] {
            let (c, f, n) = (16, 8, 40)
            let w = try XCTUnwrap(Winograd3x3(height: 9, width: 13, channels: c, filters: f, padTop: 1, padLeft: 1,
                                              convolutionOutput: (oh, ow), output: .full, outputTile: tile))
            XCTAssertGreaterThan(w.tiles(batch: n), w.tilesPerBlock, "more than one block")
            var rng = RandomGenerator(seed: 41)
            let x = (0..<(n * 9 * 13 * c)).map { _ in rng.nextNormal() }
            let dz = (0..<(n * oh * ow * f)).map { _ in rng.nextNormal() }
            let clean = gradient(w, x: x, dz: dz, batch: n, scratchFill: 0, keptPadding: false)
            XCTAssertTrue(clean.allSatisfy(\.isFinite))
            XCTAssertTrue(clean.contains { abs($0 - 0.25) > 1e-3 }, "tile \(tile): the gradient was added")
            XCTAssertEqual(gradient(w, x: x, dz: dz, batch: n, scratchFill: .nan, keptPadding: false), clean,
                           "tile \(tile): NaN left in the scratch")
            XCTAssertEqual(gradient(w, x: x, dz: dz, batch: n, scratchFill: .nan, keptPadding: true), clean,
                           "tile \(tile): the padded input kept from forward")
        }
    }

    /// U's and S's points are whole 64-byte lines apart and, for C * F of 1,024 floats or more, each at
    /// its own offset modulo 4 KiB (the transforms touch one line of every point at a time).
    func testKernelPointsSitOnWholeLinesAtDistinctOffsetsModulo4KiB() throws {
        for (c, f) in [(16, 32), (32, 64), (64, 128), (128, 128), (16, 8), (3, 5)] {
            let w = try XCTUnwrap(Winograd3x3(height: 8, width: 12, channels: c, filters: f, padTop: 1, padLeft: 1,
                                              convolutionOutput: (8, 12), output: .full, outputTile: 4))
            let stride = w.kernelPointStride
            XCTAssertGreaterThanOrEqual(stride, c * f, "(\(c), \(f))")
            XCTAssertEqual(stride % 16, 0, "(\(c), \(f)): whole lines")
            XCTAssertLessThan(stride - c * f, 32, "(\(c), \(f)): at most two lines of gap")
            XCTAssertEqual(w.transformedKernelCount, w.points * stride)
            if c * f >= 1024 {
                let offsets = Set((0..<w.points).map { ($0 * stride) % 1024 })
                XCTAssertEqual(offsets.count, w.points, "(\(c), \(f)): points sharing an offset modulo 4 KiB")
            }
        }
    }

    /// The backward blocks hold an odd number of tiles (at least `minimumGradientTiles`), so V's and
    /// Z's points, B * C and B * F floats apart, are never all at one offset modulo 4 KiB.
    func testBackwardBlocksAvoidPointsAtOneOffsetModulo4KiB() throws {
        for (c, f, tile) in [(16, 32, 3), (32, 64, 3), (64, 128, 4), (128, 256, 4)] {
            let w = try XCTUnwrap(Winograd3x3(height: 8, width: 12, channels: c, filters: f, padTop: 1, padLeft: 1,
                                              convolutionOutput: (8, 12), output: .full, outputTile: tile))
            let b = w.gradientTilesPerBlock
            XCTAssertGreaterThanOrEqual(b, Winograd3x3.minimumGradientTiles, "(\(c), \(f))")
            XCTAssertEqual(b % 2, 1, "(\(c), \(f)): \(b) tiles a block")
            for width in [c, f] {
                let offsets = Set((0..<w.points).map { ($0 * b * width) % 1024 })
                XCTAssertGreaterThan(offsets.count, 1, "(\(c), \(f)): every point at one offset modulo 4 KiB")
            }
        }
    }
}
