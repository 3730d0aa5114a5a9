import Layers
import Tensor
import TestSupport
import XCTest

final class MaxPool2DTests: XCTestCase {
    // MARK: tier 1: Keras fixtures; their inputs hold ties (values rounded to halves)

    func testValid2x2OnOddSizesMatchesKeras() throws {
        try checkLayerFixture(MaxPool2D(poolSize: (2, 2)), "maxpool_valid")
    }

    func testSameOverlappingWithStrideMatchesKeras() throws {
        try checkLayerFixture(MaxPool2D(poolSize: (3, 3), strides: (2, 2), padding: .same), "maxpool_same_stride")
    }

    /// Ties go to the first maximum in row-major window order; padding never wins, even over
    /// negative values.
    func testTiesAndPadding() {
        let pool = MaxPool2D(poolSize: (2, 2), padding: .same)
        // one 3x3 image, one channel; 'same' with stride 2 pads one row below and one column right
        let x = Tensor(shape: [1, 3, 3, 1], data: [1, 1, -3,
                                                    1, 0, -2,
                                                    -4, -5, -1])
        let y = pool.forward(x, training: false)
        XCTAssertEqual(y.shape, [1, 2, 2, 1])
        XCTAssertEqual(y.data, [1, -2, -4, -1])
        let dx = pool.backward(Tensor(shape: [1, 2, 2, 1], data: [10, 20, 30, 40]))
        XCTAssertEqual(dx.data, [10, 0, 0,
                                 0, 0, 20,
                                 30, 0, 40])
    }

    // MARK: tier 2: finite differences

    func testGradientsValid() throws {
        let pool = try built(MaxPool2D(), [5, 7, 2])
        checkGradients(pool, input: separatedValues([2, 5, 7, 2], seed: 31))
    }

    func testGradientsSameOverlapping() throws {
        let pool = try built(MaxPool2D(poolSize: (3, 3), strides: (2, 1), padding: .same), [5, 6, 2])
        checkGradients(pool, input: separatedValues([2, 5, 6, 2], seed: 32))
    }

    // MARK: shapes and buffers

    func testOutputShapesAndDefaults() throws {
        let pool = MaxPool2D()
        XCTAssertEqual(pool.strides.0, 2)
        XCTAssertEqual(pool.strides.1, 2)
        XCTAssertEqual(pool.name, "max_pooling2d")
        XCTAssertEqual(pool.kind, "MaxPooling2D")
        XCTAssertTrue(pool.parameters.isEmpty)
        XCTAssertEqual(try pool.outputShape(for: [9, 13, 128]), [4, 6, 128])
        XCTAssertEqual(try MaxPool2D(padding: .same).outputShape(for: [9, 13, 3]), [5, 7, 3])
        XCTAssertEqual(try MaxPool2D(poolSize: (3, 3), strides: (1, 1)).outputShape(for: [9, 13, 1]), [7, 11, 1])
        XCTAssertEqual(try MaxPool2D(poolSize: (3, 2), strides: (2, 1), padding: .same).outputShape(for: [9, 13, 1]),
                       [5, 13, 1])
    }

    func testPoolLargerThanInputThrows() {
        let pool = MaxPool2D(poolSize: (2, 2))
        pool.name = "max_pooling2d_1"
        XCTAssertThrowsError(try pool.outputShape(for: [1, 13, 4])) { error in
            XCTAssertTrue(error is ShapeError)
            let message = "\(error)"
            XCTAssertTrue(message.contains("max_pooling2d_1") && message.contains("[1, 13, 4]"), message)
        }
        var rng = RandomGenerator(seed: 1)
        XCTAssertThrowsError(try MaxPool2D(poolSize: (4, 4)).build(inputShape: [3, 13, 4], using: &rng))
        XCTAssertThrowsError(try pool.outputShape(for: [9, 13]))
        // 'same' never empties a dimension
        XCTAssertEqual(try MaxPool2D(poolSize: (4, 4), padding: .same).outputShape(for: [1, 3, 2]), [1, 1, 2])
    }

    func testBuffersAreReused() {
        let pool = MaxPool2D()
        let x = randomTensor([2, 4, 6, 3], seed: 33)
        let first = storageAddress(pool.forward(x, training: true))
        XCTAssertEqual(storageAddress(pool.forward(x, training: true)), first)
        let dy = randomTensor([2, 2, 3, 3], seed: 34)
        let dx = storageAddress(pool.backward(dy))
        XCTAssertEqual(storageAddress(pool.backward(dy)), dx)
    }

    /// Distinct values at least 0.1 apart (a shuffled ramp), so that a finite-difference step of
    /// 1e-2 never changes which value of a window is the maximum.
    private func separatedValues(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = Tensor.elementCount(shape)
        let values = (0..<n).map { Float($0) * 0.1 - Float(n) * 0.05 }.shuffled(using: &rng)
        return Tensor(shape: shape, data: values)
    }
}
