import Layers
import Tensor
import TestSupport
import XCTest

final class AveragePooling2DTests: XCTestCase {
    // MARK: tier 1: Keras fixtures

    func testValidMatchesKeras() throws {
        try checkLayerFixture(AveragePooling2D(poolSize: (2, 2)), "avgpool_valid")
    }

    func testSameOverlappingWithStrideMatchesKeras() throws {
        try checkLayerFixture(AveragePooling2D(poolSize: (3, 3), strides: (2, 2), padding: .same),
                              "avgpool_same_stride")
    }

    func testSameRectangularMatchesKeras() throws {
        try checkLayerFixture(AveragePooling2D(poolSize: (2, 3), strides: (1, 2), padding: .same), "avgpool_same_rect")
    }

    /// `same` windows over the border average only their cells inside the image.
    func testSamePaddingExcludesPaddedCellsFromTheCount() {
        let pool = AveragePooling2D(poolSize: (2, 2), padding: .same)
        // one 3x3 image: 'same' with stride 2 pads one row below and one column right
        let x = Tensor(shape: [1, 3, 3, 1], data: [1, 2, 3,
                                                    4, 5, 6,
                                                    7, 8, 9])
        XCTAssertEqual(pool.forward(x, training: false).data, [3, 4.5, 7.5, 9])
        let dx = pool.backward(Tensor(shape: [1, 2, 2, 1], data: [4, 2, 2, 1]))
        XCTAssertEqual(dx.data, [1, 1, 1,
                                 1, 1, 1,
                                 1, 1, 1])
    }

    // MARK: tier 2: finite differences

    func testGradientsValid() throws {
        let pool = try built(AveragePooling2D(), [5, 7, 2])
        checkGradients(pool, input: randomTensor([2, 5, 7, 2], seed: 81))
    }

    func testGradientsSameOverlapping() throws {
        let pool = try built(AveragePooling2D(poolSize: (3, 3), strides: (2, 1), padding: .same), [5, 6, 2])
        checkGradients(pool, input: randomTensor([2, 5, 6, 2], seed: 82))
    }

    // MARK: shapes

    func testShapesNamesAndErrors() throws {
        let pool = AveragePooling2D()
        XCTAssertEqual(pool.name, "average_pooling2d")
        XCTAssertEqual(pool.kind, "AveragePooling2D")
        XCTAssertEqual(pool.strides.0, 2)
        XCTAssertTrue(pool.parameters.isEmpty)
        XCTAssertEqual(try pool.outputShape(for: [9, 13, 4]), [4, 6, 4])
        XCTAssertEqual(try AveragePooling2D(padding: .same).outputShape(for: [9, 13, 4]), [5, 7, 4])
        XCTAssertThrowsError(try pool.outputShape(for: [1, 13, 4])) { error in
            XCTAssertTrue("\(error)".contains("average_pooling2d"), "\(error)")
        }
    }
}
