import Layers
import Tensor
import TestSupport
import XCTest

final class FlattenTests: XCTestCase {
    func testMatchesKeras() throws {
        try checkLayerFixture(Flatten(), "flatten")
    }

    func testRowMajorOrderAndShapes() throws {
        let layer = Flatten()
        XCTAssertEqual(layer.name, "flatten")
        XCTAssertEqual(layer.kind, "Flatten")
        XCTAssertEqual(try layer.outputShape(for: [4, 6, 128]), [3072])
        XCTAssertEqual(try layer.outputShape(for: [9, 8]), [72])
        XCTAssertThrowsError(try layer.outputShape(for: []))
        // (1, 2, 2, 2) holding 0..7 in h, w, c order flattens to 0..7
        let x = Tensor(shape: [1, 2, 2, 2], data: (0..<8).map(Float.init))
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y.shape, [1, 8])
        XCTAssertEqual(y.data, x.data)
        XCTAssertEqual(layer.backward(y).shape, [1, 2, 2, 2])
        // a second batch size
        XCTAssertEqual(layer.forward(Tensor(shape: [3, 2, 5], repeating: 1), training: false).shape, [3, 10])
        XCTAssertEqual(layer.backward(Tensor(shape: [3, 10], repeating: 1)).shape, [3, 2, 5])
    }

    func testGradients() {
        checkGradients(Flatten(), input: randomTensor([2, 3, 2, 2], seed: 51))
    }
}
