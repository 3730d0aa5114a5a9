import Layers
import Tensor
import TestSupport
import XCTest

/// Keras `Reshape` (Tests/Fixtures/make_reshape_fixtures.py): a descriptor row to an image, an image to
/// a sequence with one axis inferred; shapes, errors and finite differences.
final class ReshapeTests: XCTestCase {
    func testMatchesKeras() throws {
        try checkLayerFixture(Reshape(targetShape: [3, 4, 1]), "reshape_map")
        try checkLayerFixture(Reshape(targetShape: [6, -1]), "reshape_infer")
    }

    func testShapesAndErrors() throws {
        let layer = Reshape(targetShape: [50, 200, 1])
        XCTAssertEqual(layer.kind, "Reshape")
        XCTAssertEqual(try layer.outputShape(for: [10_000]), [50, 200, 1])
        XCTAssertEqual(try Reshape(targetShape: [-1, 4]).outputShape(for: [3, 8]), [6, 4])
        XCTAssertThrowsError(try layer.outputShape(for: [9_999])) {
            XCTAssertTrue("\($0)".contains("target shape [50, 200, 1] holds 10000 values, input shape [9999] has 9999"),
                          "\($0)")
        }
        XCTAssertThrowsError(try Reshape(targetShape: [7, -1]).outputShape(for: [10])) {
            XCTAssertTrue("\($0)".contains("10 values of input shape [10] do not fill target shape [7, -1]"), "\($0)")
        }
        let x = Tensor(shape: [2, 6], data: (0..<12).map(Float.init))
        let y = Reshape(targetShape: [3, 2]).forward(x, training: true)
        XCTAssertEqual(y.shape, [2, 3, 2])
        XCTAssertEqual(y.data, x.data, "row-major order kept")
    }

    func testGradients() {
        checkGradients(Reshape(targetShape: [2, -1, 3]), input: randomTensor([2, 12], seed: 52))
    }
}
