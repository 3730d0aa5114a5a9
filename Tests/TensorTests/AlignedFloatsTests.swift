import XCTest
@testable import Tensor

/// `AlignedFloats` starts every buffer on a cache line, zero-filled, and keeps it for smaller requests.
final class AlignedFloatsTests: XCTestCase {
    func testEveryBufferStartsOnA64ByteBoundaryZeroFilled() {
        // many sizes, so that an allocator's 16-byte alignment would show in some of them
        for count in [1, 3, 16, 17, 1_000, 114_432, 162_816] {
            let buffer = AlignedFloats()
            let p = buffer.reserve(count)
            XCTAssertEqual(Int(bitPattern: p) % 64, 0, "\(count) floats at \(p)")
            XCTAssertEqual(buffer.count, count)
            XCTAssertTrue(UnsafeBufferPointer(start: p, count: count).allSatisfy { $0 == 0 }, "\(count) floats")
        }
    }

    func testASmallerRequestKeepsTheBufferAndALargerOneGrowsIt() {
        let buffer = AlignedFloats()
        let first = buffer.reserve(64)
        first[63] = 7
        XCTAssertEqual(buffer.reserve(10), first, "a smaller request reuses the buffer")
        XCTAssertEqual(first[63], 7, "and keeps its contents")
        let grown = buffer.reserve(4_096)
        XCTAssertEqual(buffer.count, 4_096)
        XCTAssertEqual(Int(bitPattern: grown) % 64, 0)
        XCTAssertEqual(grown[63], 0, "a grown buffer is zero-filled")
    }
}
