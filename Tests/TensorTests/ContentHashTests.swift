import Foundation
import Tensor
import XCTest

/// `ContentHash` and the checksum of a safetensors file's tensors.
final class ContentHashTests: XCTestCase {
    func hash(_ bytes: [UInt8], seed: UInt64 = 7) -> UInt64 { bytes.withUnsafeBytes { ContentHash.of($0, seed: seed) } }

    /// Every single bit flipped, in the four lanes, the whole words after them and the 1-7 byte tail,
    /// gives another value; so do another seed and two words swapped.
    func testEveryBitOfEveryLengthCounts() {
        for n in [1, 3, 7, 8, 9, 31, 32, 33, 45] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            var seen: Set<UInt64> = [hash(bytes)]
            for i in 0..<n {
                for bit in 0..<8 {
                    var changed = bytes
                    changed[i] ^= UInt8(1 << bit)
                    seen.insert(hash(changed))
                }
            }
            XCTAssertEqual(seen.count, 8 * n + 1, "n = \(n)")
            XCTAssertNotEqual(hash(bytes, seed: 8), hash(bytes))
        }
        let words = (0..<64).map { UInt8($0) }
        XCTAssertNotEqual(hash(Array(words[8..<16] + words[0..<8] + words[16...])), hash(words))
    }

    func testTheChecksumCoversNamesShapesAndBytes() throws {
        var file = SafeTensors.File()
        file.tensors["a"] = .init(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        file.tensors["b"] = .init(int32: [7, 8])
        let reference = file.contentChecksum
        XCTAssertEqual(reference.count, 16)
        file.seal()
        XCTAssertNoThrow(try file.verifySeal(file: "x"))
        var reshaped = file; reshaped.tensors["a"] = .init(Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6]))
        var renamed = file; renamed.tensors["c"] = renamed.tensors.removeValue(forKey: "b")
        var changed = file; changed.tensors["b"] = .init(int32: [7, 9])
        for other in [reshaped, renamed, changed] {
            XCTAssertNotEqual(other.contentChecksum, reference)
            XCTAssertThrowsError(try other.verifySeal(file: "cache.safetensors")) {
                XCTAssertTrue("\($0)".hasPrefix("cache.safetensors: its data does not match the checksum"), "\($0)")
            }
        }
        file.metadata["checksum"] = nil
        XCTAssertThrowsError(try file.verifySeal(file: "x"), "no checksum: not trusted")
    }
}
