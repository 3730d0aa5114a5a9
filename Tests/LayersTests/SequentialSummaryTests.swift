import Layers
import Tensor
import XCTest

final class SequentialSummaryTests: XCTestCase {
    /// Short titles keep Keras 2's columns: 34 and 22 characters, rules of 66.
    func testShortTitlesKeepKerasColumns() throws {
        let model = try Sequential(inputShape: [9, 13, 1], layers: [
            Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu), Flatten(),
            Dense(units: 3, activation: .softmax),
        ])
        XCTAssertEqual(model.summary().split(separator: "\n").map(String.init), [
            "Layer (type)                      Output Shape          Param #",
            String(repeating: "=", count: 66),
            "conv2d (Conv2D)                   (None, 9, 13, 4)      40",
            "flatten (Flatten)                 (None, 468)           0",
            "dense (Dense)                     (None, 3)             1407",
            String(repeating: "=", count: 66),
            "Total params: 1447",
        ])
    }

    /// A title longer than the column widens it for every row: no title runs into its shape.
    func testLongTitlesWidenTheColumn() throws {
        let model = try Sequential(inputShape: [9, 13], layers: [
            Pooling1D(.average(.init(poolSize: 3, strides: 1, padding: .same))), Pooling1D(.globalAverage),
            Dense(units: 2, activation: .softmax),
        ])
        let lines = model.summary().split(separator: "\n").map(String.init)
        let title = "global_average_pooling1d (GlobalAveragePooling1D)"
        XCTAssertEqual(lines[0], "Layer (type)".padding(toLength: title.count + 1, withPad: " ", startingAt: 0)
                       + "Output Shape          Param #")
        XCTAssertEqual(lines[3], title + " (None, 13)            0")
        XCTAssertEqual(lines[2], "average_pooling1d (AveragePooling1D)".padding(toLength: title.count + 1, withPad: " ",
                                                                              startingAt: 0) + "(None, 9, 13)         0")
        XCTAssertEqual(lines[1].count, title.count + 1 + 22 + 10)
    }
}
