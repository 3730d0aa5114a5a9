import Layers
import Tensor
import XCTest

final class LayerTimesTests: XCTestCase {
    /// Training passes are timed layer by layer, inference passes are not; the summary names every layer.
    func testTrainingPassesAreTimedPerLayer() throws {
        let model = try Sequential(inputShape: [6], layers: [Dense(units: 5, activation: .relu),
                                                               Dense(units: 3, activation: .softmax)], seed: 3)
        let times = LayerTimes(layers: 2)
        model.layerTimes = times
        let x = randomTensor([4, 6], seed: 71)
        for _ in 0..<3 {
            let y = model.forward(x, training: true)
            model.backward(y, preActivation: true)
        }
        _ = model.forward(x, training: false)
        XCTAssertEqual(times.passes, 3)
        XCTAssertTrue(times.forwardSeconds.allSatisfy { $0 > 0 } && times.backwardSeconds.allSatisfy { $0 > 0 })
        let summary = times.summary(names: model.layers.map(\.name))
        XCTAssertTrue(summary.contains("dense: forward") && summary.contains("dense_1: forward")
                      && summary.contains("(3 passes)"), summary)
    }
}
