import Foundation
import Tensor
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    func sample() -> SafeTensors.File {
        SafeTensors.File(tensors: ["dense/kernel": .init(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])),
                                   "dense/bias": .init(Tensor(shape: [3], data: [0.5, -1, 2])),
                                   "labels": .init(int32: [0, 2, 1])],
                         metadata: ["config": "{\"a\": 1}", "classes": "[\"high\", \"low\"]"])
    }

    func testRoundTripThroughAnAtomicallyWrittenFile() throws {
        let dir = try makeTemporaryFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.safetensors")
        try SafeTensors.write(sample(), to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w.safetensors"],
                       "no temporary left")
        let back = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(back, sample())
        XCTAssertEqual(try back.tensor("dense/kernel").shape, [2, 3])
        XCTAssertEqual(try back.integers("labels").values, [0, 2, 1])
        let bytes = SafeTensors.encode(sample())
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0, "data section is 8-byte aligned")
    }

    func testReadsFilesWrittenByPythonSafetensors() throws {
        // written by safetensors.numpy.save_file in Tests/Fixtures/make_model_fixtures.py
        let file = try Fixtures.load("models/cnn_small.safetensors")
        XCTAssertEqual(try file.tensor("x").shape, [4, 9, 13, 1])
        XCTAssertEqual(try file.integers("labels").values, [0, 1, 2, 0])
    }

    /// Each hostile variant must throw a SafeTensors.Error whose message names the file.
    func assertRejected(_ bytes: [UInt8], _ expectedFragment: String, file: StaticString = #filePath,
                        line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(Data(bytes), name: "bad.safetensors"), file: file,
                             line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("bad.safetensors: "), text, file: file, line: line)
            XCTAssertTrue(text.contains(expectedFragment), "\(text) lacks '\(expectedFragment)'",
                          file: file, line: line)
        }
    }

    func withHeader(_ json: String, data: Int) -> [UInt8] {
        let h = Array(json.utf8)
        return (0..<8).map { UInt8((h.count >> (8 * $0)) & 0xFF) } + h + [UInt8](repeating: 0, count: data)
    }

    /// A header holding one tensor "a" (its dtype, shape and data_offsets as JSON).
    func tensorA(_ dtype: String = "F32", shape: String, offsets: String) -> String {
        "{\"a\": {\"dtype\": \"\(dtype)\", \"shape\": \(shape), \"data_offsets\": \(offsets)}}"
    }

    func testTruncatedForeignAndHostileFilesAreClearErrors() {
        let good = [UInt8](SafeTensors.encode(sample()))
        assertRejected([], "truncated")
        assertRejected(Array(good.prefix(5)), "truncated")
        assertRejected(Array(good.prefix(40)), "truncated")                               // header cut
        assertRejected(Array(good.dropLast(4)), "outside")                                  // data cut
        assertRejected(Array("PK\u{3}\u{4} this is a zip file, not safetensors".utf8), "not a safetensors file")
        assertRejected([255, 255, 255, 255, 255, 255, 255, 127] + [0, 0], "out of range")   // absurd length
        assertRejected(withHeader("[1, 2]", data: 0), "not a JSON object")
        assertRejected(withHeader("{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", data: 8), "data_offsets")
        assertRejected(withHeader(tensorA("Q8", shape: "[2]", offsets: "[0, 8]"), data: 8), "dtype")
        assertRejected(withHeader(tensorA(shape: "[3]", offsets: "[0, 8]"), data: 8), "needs 12 bytes")
        assertRejected(withHeader(tensorA(shape: "[-2]", offsets: "[0, 8]"), data: 8), "non-negative")
        assertRejected(withHeader(tensorA(shape: "[2]", offsets: "[8, 0]"), data: 8), "outside")
        assertRejected(withHeader(tensorA(shape: "[2]", offsets: "[0, 8000000000000]"), data: 8), "outside")
        assertRejected(withHeader(tensorA(shape: "[4294967296, 4294967296]", offsets: "[0, 8]"), data: 8),
                       "larger than the file")
        let overlapping = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
            + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}"
        assertRejected(withHeader(overlapping, data: 12), "overlap")
        assertRejected(withHeader("{\"__metadata__\": {\"k\": 3}}", data: 0), "not a string")
    }
}
