import Layers
import Tensor
import TestSupport
import XCTest

final class GlobalMaxPooling2DTests: XCTestCase {
    /// The fixture's inputs are rounded to halves: most channels hold tied maxima.
    func testMatchesKerasIncludingTies() throws {
        try checkLayerFixture(GlobalMaxPooling2D(), "global_maxpool")
    }

    /// Tied maxima share the gradient equally (TensorFlow's reduce_max rule).
    func testTiesShareTheGradient() {
        let pool = GlobalMaxPooling2D()
        let x = Tensor(shape: [1, 2, 2, 2], data: [3, -1,
                                                    1, -1,
                                                    3, -2,
                                                    3, -1])
        XCTAssertEqual(pool.forward(x, training: true).data, [3, -1])
        let dx = pool.backward(Tensor(shape: [1, 2], data: [6, 4]))
        // channel 0: 3 at positions 0, 2, 3 -> 6 / 3 each; channel 1: -1 at 0, 1, 3 -> 4 / 3 each
        let third: Float = 4.0 / 3
        assertClose(dx.data, [2, third,
                              0, third,
                              2, 0,
                              2, third], tolerance: 1e-6, "shared gradient")
    }

    func testGradients() throws {
        let pool = try built(GlobalMaxPooling2D(), [3, 4, 2])
        // distinct values 0.1 apart: a step of 1e-2 never changes the maximum
        var rng = RandomGenerator(seed: 72)
        let values = (0..<48).map { Float($0) * 0.1 - 2.4 }.shuffled(using: &rng)
        checkGradients(pool, input: Tensor(shape: [2, 3, 4, 2], data: values))
    }

    func testShapesAndNames() throws {
        let pool = GlobalMaxPooling2D()
        XCTAssertEqual(pool.name, "global_max_pooling2d")
        XCTAssertEqual(pool.kind, "GlobalMaxPooling2D")
        XCTAssertTrue(pool.parameters.isEmpty)
        XCTAssertEqual(try pool.outputShape(for: [9, 13, 16]), [16])
        XCTAssertThrowsError(try pool.outputShape(for: [9, 13, 0]))
    }
}
