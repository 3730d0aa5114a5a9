import Layers
import Tensor
import TestSupport
import XCTest

final class SpatialDropout1DTests: XCTestCase {
    /// Training: one (N, C) mask of 0 and 1 / (1 - rate), the same at every step; dx through the same
    /// mask; inference and `training: false`: x itself.
    func testWholeChannelsAreDroppedAtEveryStep() throws {
        let (n, t, c) = (4, 7, 12)
        let layer = try built(SpatialDropout1D(rate: 0.5, seed: 3), [t, c])
        let x = randomTensor([n, t, c], seed: 21)
        let y = layer.forward(x, training: true).data
        let mask = layer.mask
        XCTAssertEqual(mask.shape, [n, c])
        XCTAssertEqual(Set(mask.data), [0, 2])
        let dy = randomTensor([n, t, c], seed: 22)
        let dx = layer.backward(dy).data
        for s in 0..<n {
            for step in 0..<t {
                for j in 0..<c {
                    let i = (s * t + step) * c + j, m = mask.data[s * c + j]
                    XCTAssertEqual(y[i], x.data[i] * m)
                    XCTAssertEqual(dx[i], dy.data[i] * m)
                }
            }
        }
        XCTAssertEqual(layer.forward(x, training: false).data, x.data)
        XCTAssertEqual(layer.backward(dy).data, dy.data)
    }

    func testSeedAndReseedFixTheMasks() {
        let x = randomTensor([4, 3, 10], seed: 23)
        XCTAssertEqual(SpatialDropout1D(rate: 0.5, seed: 3).forward(x, training: true),
                       SpatialDropout1D(rate: 0.5, seed: 3).forward(x, training: true))
        let layer = SpatialDropout1D(rate: 0.5, seed: 3)
        layer.reseed(17)
        let first = layer.forward(x, training: true).data
        XCTAssertNotEqual(layer.forward(x, training: true).data, first)
        layer.reseed(17)
        XCTAssertEqual(layer.forward(x, training: true).data, first)
        XCTAssertTrue((layer as Layer) is StochasticLayer)
        XCTAssertTrue((layer as Layer) is IdentityAtInference)
    }

    func testGradientsWithFrozenMask() throws {
        let layer = try built(SpatialDropout1D(rate: 0.5, seed: 9), [5, 4])
        layer.freezeMask = true
        checkGradients(layer, input: randomTensor([3, 5, 4], seed: 24), training: true)
    }

    func testShapesNamesAndErrors() throws {
        let layer = SpatialDropout1D(rate: 0.3)
        XCTAssertEqual(layer.name, "spatial_dropout1d")
        XCTAssertEqual(layer.kind, "SpatialDropout1D")
        XCTAssertEqual(try layer.outputShape(for: [9, 13]), [9, 13])
        layer.name = "spatial_dropout1d_1"
        XCTAssertThrowsError(try layer.outputShape(for: [9, 13, 1])) { error in
            XCTAssertEqual("\(error)", "spatial_dropout1d_1 (SpatialDropout1D): input shape [9, 13, 1] must be "
                           + "(time steps, channels), all positive")
        }
    }
}
