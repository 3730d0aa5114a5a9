import Layers
import Tensor
import TestSupport
import XCTest

final class GlobalAveragePooling2DTests: XCTestCase {
    func testMatchesKeras() throws {
        try checkLayerFixture(GlobalAveragePooling2D(), "global_avgpool")
    }

    func testGradients() throws {
        let pool = try built(GlobalAveragePooling2D(), [3, 4, 2])
        checkGradients(pool, input: randomTensor([2, 3, 4, 2], seed: 71))
    }

    func testShapesAndNames() throws {
        let pool = GlobalAveragePooling2D()
        XCTAssertEqual(pool.name, "global_average_pooling2d")
        XCTAssertEqual(pool.kind, "GlobalAveragePooling2D")
        XCTAssertTrue(pool.parameters.isEmpty)
        XCTAssertEqual(try pool.outputShape(for: [9, 13, 16]), [16])
        XCTAssertThrowsError(try pool.outputShape(for: [9, 13]))
        let y = pool.forward(Tensor(shape: [1, 2, 2, 1], data: [1, 2, 3, 6]), training: false)
        XCTAssertEqual(y, Tensor(shape: [1, 1], data: [3]))
    }
}
