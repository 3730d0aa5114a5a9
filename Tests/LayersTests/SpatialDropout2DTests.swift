import Layers
import Tensor
import TestSupport
import XCTest

final class SpatialDropout2DTests: XCTestCase {
    /// Keras' fixture: inference is the identity, and a training output (one Keras draw) keeps or
    /// zeroes whole channels; ours has the same structure.
    func testInferenceIdentityAndChannelStructureLikeKeras() throws {
        let f = try Fixtures.load("layers/spatial_dropout.safetensors")
        let x = try f.tensor("x"), kerasTrain = try f.tensor("train/y")
        let layer = try built(SpatialDropout2D(rate: 0.5, seed: 3), Array(x.shape.dropFirst()))
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y, try f.tensor("infer/y"))
        XCTAssertEqual(storageAddress(y), storageAddress(x), "no copy at inference")
        XCTAssertEqual(channelVerdicts(kerasTrain, x, rate: 0.5).filter { $0 == nil }.count, 0, "Keras' structure")
        let ours = channelVerdicts(layer.forward(x, training: true), x, rate: 0.5)
        XCTAssertEqual(ours.filter { $0 == nil }.count, 0, "each channel all zero or all x / (1 - rate)")
        XCTAssertTrue(ours.contains(true) && ours.contains(false))
    }

    /// Dropped channels are zero over all H, W; the kept share is about 1 - rate; backward applies
    /// the same mask.
    func testMaskStatisticsAndBackward() {
        let rate: Float = 0.3
        let layer = SpatialDropout2D(rate: rate, seed: 7)
        let x = Tensor(shape: [100, 2, 3, 50], data: (0..<30_000).map { Float($0 % 89) + 1 })   // no zeros
        let y = layer.forward(x, training: true)
        let verdicts = channelVerdicts(y, x, rate: rate)
        XCTAssertEqual(verdicts.filter { $0 == nil }.count, 0)
        let kept = verdicts.filter { $0 == true }.count, n = verdicts.count
        // binomial over 5000 channels: mean 0.7 n, standard deviation sqrt(n 0.21) ~ 32; allow 5 sigma
        XCTAssertEqual(Double(kept), Double(n) * 0.7, accuracy: 5 * (Double(n) * 0.21).squareRoot())
        XCTAssertEqual(layer.mask.shape, [100, 50])
        let dx = layer.backward(Tensor(shape: x.shape, repeating: 1))
        XCTAssertEqual(channelVerdicts(dx, Tensor(shape: x.shape, repeating: 1), rate: rate), verdicts, "same mask")
        XCTAssertNotEqual(layer.forward(x, training: true), y, "a new pass draws a new mask")
    }

    func testSeedAndReseedFixTheMasks() {
        let x = randomTensor([4, 2, 2, 10], seed: 91)
        XCTAssertEqual(SpatialDropout2D(rate: 0.5, seed: 3).forward(x, training: true),
                       SpatialDropout2D(rate: 0.5, seed: 3).forward(x, training: true))
        let layer = SpatialDropout2D(rate: 0.5, seed: 3)
        layer.reseed(17)
        let first = layer.forward(x, training: true).data.map { $0 }
        XCTAssertNotEqual(layer.forward(x, training: true).data, first)
        layer.reseed(17)
        XCTAssertEqual(layer.forward(x, training: true).data, first)
        XCTAssertTrue((layer as Layer) is StochasticLayer)
    }

    func testGradientsWithFrozenMask() throws {
        let layer = try built(SpatialDropout2D(rate: 0.5, seed: 9), [3, 2, 4])
        layer.freezeMask = true
        checkGradients(layer, input: randomTensor([3, 3, 2, 4], seed: 92), training: true)
    }

    /// The inference plan skips the layer: `infer` equals `forward(training: false)`.
    func testModelInferenceSkipsIt() throws {
        let model = try Sequential(inputShape: [4, 4, 2], layers: [
            Conv2D(filters: 3, kernelSize: (3, 3), padding: .same), SpatialDropout2D(rate: 0.5),
            MaxPool2D(), GlobalMaxPooling2D(), Dense(units: 2, activation: .softmax),
        ], seed: 4)
        let x = randomTensor([3, 4, 4, 2], seed: 93)
        let expected = model.forward(x, training: false).data.map { $0 }
        assertClose(model.infer(x).data, expected, tolerance: 1e-5, "infer vs forward")
    }

    func testShapesAndErrors() throws {
        let layer = SpatialDropout2D(rate: 0.2)
        XCTAssertEqual(layer.name, "spatial_dropout2d")
        XCTAssertEqual(layer.kind, "SpatialDropout2D")
        XCTAssertEqual(try layer.outputShape(for: [9, 13, 4]), [9, 13, 4])
        XCTAssertThrowsError(try layer.outputShape(for: [9, 13]))
        XCTAssertThrowsError(try SpatialDropout2D(rate: 1).outputShape(for: [9, 13, 4]))
    }

    /// For each (example, channel) of y: true when y = x / (1 - rate) at every (h, w), false when
    /// y = 0 at every (h, w), nil for a mixed channel. Order (n, c).
    private func channelVerdicts(_ y: Tensor, _ x: Tensor, rate: Float) -> [Bool?] {
        let (n, p, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        var verdicts: [Bool?] = []
        for b in 0..<n {
            for j in 0..<c {
                let values = (0..<p).map { (y.data[(b * p + $0) * c + j], x.data[(b * p + $0) * c + j]) }
                if values.allSatisfy({ $0.0 == 0 }) {
                    verdicts.append(false)
                } else if values.allSatisfy({ abs($0.0 - $0.1 / (1 - rate)) <= 1e-5 * abs($0.0) }) {
                    verdicts.append(true)
                } else {
                    verdicts.append(nil)
                }
            }
        }
        return verdicts
    }
}
