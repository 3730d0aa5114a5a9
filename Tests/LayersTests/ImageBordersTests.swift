import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's ZeroPadding2D and Cropping2D against Keras 3 (Tests/Fixtures/make_border_fixtures.py) and
/// by finite differences.
final class ImageBordersTests: XCTestCase {
    private func borders(_ fixture: SafeTensors.File) throws -> ImageBorders {
        let b = try XCTUnwrap(try SequenceTestSupport.config(fixture)["borders"] as? [[Int]])
        return ImageBorders(top: b[0][0], bottom: b[0][1], left: b[1][0], right: b[1][1])
    }

    func testZeroPaddingMatchesKeras() throws {
        let fixture = try Fixtures.load("layers/zero_padding2d.safetensors")
        try checkAgainstFixture(ZeroPadding2D(padding: try borders(fixture)), fixture, name: "zero_padding2d",
                                tolerance: 0)
    }

    func testCroppingMatchesKeras() throws {
        let fixture = try Fixtures.load("layers/cropping2d.safetensors")
        try checkAgainstFixture(Cropping2D(cropping: try borders(fixture)), fixture, name: "cropping2d", tolerance: 0)
    }

    func testShapesErrorsAndGradients() throws {
        let b = ImageBorders(top: 1, bottom: 0, left: 2, right: 1)
        XCTAssertEqual(try ZeroPadding2D(padding: b).outputShape(for: [9, 13, 4]), [10, 16, 4])
        XCTAssertEqual(try Cropping2D(cropping: b).outputShape(for: [9, 13, 4]), [8, 10, 4])
        XCTAssertThrowsError(try Cropping2D(cropping: ImageBorders(5)).outputShape(for: [9, 13, 4])) {
            XCTAssertTrue("\($0)".contains("leaves nothing"), "\($0)")
        }
        XCTAssertThrowsError(try ZeroPadding2D(padding: ImageBorders(1)).outputShape(for: [9, 13]))
        var rng = RandomGenerator(seed: 6)
        let x = Tensor(shape: [2, 5, 4, 2], data: (0..<80).map { _ in rng.nextNormal() })
        checkGradients(ZeroPadding2D(padding: b), input: x, coordinates: 12)
        checkGradients(Cropping2D(cropping: b), input: x, coordinates: 12)
    }
}
