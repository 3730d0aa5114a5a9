import Foundation
import Pipeline
import XCTest

final class NPYTests: XCTestCase {
    func testHeaderIsNumPyFormatOneAlignedTo64Bytes() {
        let data = NPY.encode([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(Array(data.prefix(8)), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (2, 3)") && header.hasSuffix("\n"),
                      header)
        XCTAssertEqual(data.count, 10 + headerLength + 24)
        let one = String(decoding: NPY.encode([1], shape: [1]).dropFirst(10), as: UTF8.self)
        XCTAssertTrue(one.contains("'shape': (1,)"), "1-D shapes need the trailing comma")
    }
}
