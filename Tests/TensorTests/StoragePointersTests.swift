import Tensor
import XCTest

/// `Tensor.withStorage(of:_:_:)` hands out every owner's storage at once, in order, writable.
final class StoragePointersTests: XCTestCase {
    private final class Box {
        var tensor: Tensor
        init(_ values: [Float]) { tensor = Tensor(shape: [values.count], data: values) }
    }

    func testEveryOwnersStorageInOrderAndWritable() {
        let boxes = [Box([1, 2]), Box([3]), Box([4, 5, 6])]
        let counts = boxes.map(\.tensor.count)
        let sum = Tensor.withStorage(of: boxes, \.tensor) { p -> Float in
            XCTAssertEqual(p.count, 3)
            for (i, count) in counts.enumerated() { p[i][count - 1] *= 10 }
            return p[0][0] + p[1][0] + p[2][0]
        }
        XCTAssertEqual(sum, 1 + 30 + 4)
        XCTAssertEqual(boxes.map(\.tensor.data), [[1, 20], [30], [4, 5, 60]])
    }
}
