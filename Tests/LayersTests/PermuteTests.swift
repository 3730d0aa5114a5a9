import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's Permute against Keras 3 (Tests/Fixtures/make_permute_fixtures.py) and by finite differences.
final class PermuteTests: XCTestCase {
    private func checkFixture(_ name: String, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let dims = try XCTUnwrap(try SequenceTestSupport.config(fixture)["dims"] as? [Int])
        let layer = Permute(dims: dims)
        XCTAssertEqual(try layer.outputShape(for: Array(try fixture.tensor("x").shape.dropFirst())),
                       Array(try fixture.tensor("y").shape.dropFirst()), line: line)
        try checkAgainstFixture(layer, fixture, name: name, tolerance: 0, line: line)
    }

    func testSequenceMatchesKeras() throws { try checkFixture("permute_sequence") }
    func testImage312MatchesKeras() throws { try checkFixture("permute_image_3_1_2") }
    func testImage213MatchesKeras() throws { try checkFixture("permute_image_2_1_3") }

    func testShapesErrorsAndGradients() throws {
        XCTAssertEqual(try Permute(dims: [2, 1]).outputShape(for: [9, 13]), [13, 9])
        XCTAssertEqual(try Permute(dims: [1]).outputShape(for: [7]), [7])
        XCTAssertThrowsError(try Permute(dims: [2, 1]).outputShape(for: [9, 13, 1])) {
            XCTAssertTrue("\($0)".contains("must order the 3 axes"), "\($0)")
        }
        XCTAssertThrowsError(try Permute(dims: [1, 1]).outputShape(for: [9, 13]))
        var rng = RandomGenerator(seed: 6)
        let x = Tensor(shape: [2, 3, 4, 2], data: (0..<48).map { _ in rng.nextNormal() })
        checkGradients(Permute(dims: [3, 1, 2]), input: x, coordinates: 16)
    }
}
