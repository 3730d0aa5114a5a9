import Layers
import Tensor
import TestSupport
import XCTest

final class DropoutTests: XCTestCase {
    func testInferenceReturnsTheInputItself() {
        let layer = Dropout(rate: 0.5)
        let x = randomTensor([3, 4, 5], seed: 41)
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y, x)
        XCTAssertEqual(storageAddress(y), storageAddress(x), "no copy at inference")
        let dy = randomTensor([3, 4, 5], seed: 42)
        XCTAssertEqual(storageAddress(layer.backward(dy)), storageAddress(dy))
        XCTAssertEqual(layer.name, "dropout")
        XCTAssertEqual(layer.kind, "Dropout")
        XCTAssertTrue(layer.parameters.isEmpty)
    }

    func testTrainingKeepsAboutOneMinusRateAndScalesSurvivors() {
        let rate: Float = 0.3
        let layer = Dropout(rate: rate, seed: 7)
        let n = 20_000
        let x = Tensor(shape: [100, n / 100], data: (0..<n).map { Float($0 % 97) + 1 })   // no zeros
        let y = layer.forward(x, training: true)
        var kept = 0, badlyScaled = 0
        for i in 0..<n where y.data[i] != 0 {
            kept += 1
            if abs(y.data[i] - x.data[i] / (1 - rate)) > 1e-5 * y.data[i] { badlyScaled += 1 }
        }
        XCTAssertEqual(badlyScaled, 0, "survivors are x / (1 - rate)")
        // binomial: mean 0.7 n, standard deviation sqrt(n 0.7 0.3) ~ 65; allow 5 sigma
        XCTAssertEqual(Double(kept), Double(n) * 0.7, accuracy: 5 * (Double(n) * 0.21).squareRoot())
        // backward uses the same mask: dx is dy scaled where kept, zero where dropped
        let dy = Tensor(shape: x.shape, repeating: 1)
        let dx = layer.backward(dy)
        let wrong = (0..<n).filter { dx.data[$0] != (y.data[$0] == 0 ? 0 : 1 / (1 - rate)) }
        XCTAssertEqual(wrong.count, 0, "dx = dy * mask")
        // a new training pass draws a new mask
        let again = layer.forward(x, training: true)
        XCTAssertNotEqual(again, y)
    }

    /// Each mask is the SplitMix64 stream keyed by one draw of the layer's generator: element i kept
    /// when the top 24 bits of the i-th number, as a uniform in [0, 1), are below 1 - rate.
    func testMaskIsTheSplitMix64StreamOfOneGeneratorDraw() {
        let (rate, seed): (Float, UInt64) = (0.4, 29)
        let layer = Dropout(rate: rate, seed: seed)
        let x = Tensor(shape: [7, 33], repeating: 1)
        var generator = RandomGenerator(seed: seed)
        for pass in 0..<2 {
            let y = layer.forward(x, training: true)
            var state = generator.next()
            var wrong = 0
            for i in 0..<x.count {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let kept = Float(z >> 40) / 16_777_216 < 1 - rate
                if y.data[i] != (kept ? 1 / (1 - rate) : 0) { wrong += 1 }
            }
            XCTAssertEqual(wrong, 0, "pass \(pass): mask against the SplitMix64 stream")
        }
    }

    func testSeedAndReseedFixTheMasks() {
        let x = randomTensor([4, 50], seed: 43)
        XCTAssertEqual(Dropout(rate: 0.5, seed: 3).forward(x, training: true),
                       Dropout(rate: 0.5, seed: 3).forward(x, training: true))
        XCTAssertNotEqual(Dropout(rate: 0.5, seed: 3).forward(x, training: true),
                          Dropout(rate: 0.5, seed: 4).forward(x, training: true))
        // reseeding replays the masks (what a resumed run relies on)
        let layer = Dropout(rate: 0.5, seed: 3)
        layer.reseed(17)
        let first = layer.forward(x, training: true).data.map { $0 }
        let second = layer.forward(x, training: true).data.map { $0 }
        XCTAssertNotEqual(first, second)
        layer.reseed(17)
        XCTAssertEqual(layer.forward(x, training: true).data, first)
    }

    func testFrozenMaskAndBufferReuse() {
        let layer = Dropout(rate: 0.4, seed: 5)
        layer.freezeMask = true
        let x = randomTensor([3, 6], seed: 44)
        let y1 = layer.forward(x, training: true)
        let address = storageAddress(y1)
        let copy = y1.data.map { $0 }         // a real copy, not a second reference
        _ = consume y1
        let y2 = layer.forward(x, training: true)
        XCTAssertEqual(y2.data, copy, "frozen mask")
        XCTAssertEqual(storageAddress(y2), address, "output buffer reused")
    }

    func testGradientsWithFrozenMask() throws {
        let layer = try built(Dropout(rate: 0.5, seed: 9), [4, 5])
        layer.freezeMask = true
        checkGradients(layer, input: randomTensor([2, 4, 5], seed: 45), training: true)
    }

    func testInvalidRateThrows() {
        XCTAssertThrowsError(try Dropout(rate: 1).outputShape(for: [3]))
        XCTAssertThrowsError(try Dropout(rate: -0.1).outputShape(for: [3]))
        XCTAssertEqual(try Dropout(rate: 0).outputShape(for: [3, 4]), [3, 4])
    }
}
