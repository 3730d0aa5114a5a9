@testable import Classical
import Foundation
import Tensor
import TestSupport
import XCTest

/// Saving and loading forests; damaged and hostile files are errors naming the file.
final class ForestFileTests: XCTestCase {
    func trained() throws -> (RandomForestClassifier, Tensor) {
        let (x, y) = ForestTests.data(rows: 120)
        let p = ForestParameters(nEstimators: 5, maxDepth: 6, minSamplesLeaf: 2, maxFeatures: .fraction(0.5),
                                 classWeight: .balancedSubsample, seed: 9)
        let forest = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p,
                                                    classNames: ["dog", "cat", "bird"],
                                                    featureNames: ["a", "b", "c", "d", "e"])
        return (forest, x)
    }

    func testRoundTrip() throws {
        let (forest, x) = try trained()
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("forest.safetensors")
        try ForestFile.save(forest, to: url)
        let loaded = try ForestFile.load(contentsOf: url)
        XCTAssertEqual(loaded.trees, forest.trees)
        XCTAssertEqual(loaded.parameters, forest.parameters)
        XCTAssertEqual(loaded.classNames, ["dog", "cat", "bird"])
        XCTAssertEqual(loaded.featureNames, ["a", "b", "c", "d", "e"])
        XCTAssertEqual(loaded.probabilities(x), forest.probabilities(x))
        XCTAssertEqual(loaded.featureImportances, forest.featureImportances)
        XCTAssertEqual(try SafeTensors.read(contentsOf: url).metadata["format"], "earmark-random-forest")
    }

    /// `change` applied to the encoded forest must make decoding fail with a message containing `expected`.
    func assertRefused(_ expected: String, file: StaticString = #filePath, line: UInt = #line,
                       _ change: (inout SafeTensors.File) -> Void) throws {
        var encoded = ForestFile.encode(try trained().0)
        change(&encoded)
        // through the bytes, as a file on disk would be read
        let decoded = try SafeTensors.decode(SafeTensors.encode(encoded), name: "hostile.safetensors")
        XCTAssertThrowsError(try ForestFile.decode(decoded, name: "hostile.safetensors"), file: file, line: line) {
            XCTAssertTrue("\($0)".hasPrefix("hostile.safetensors: "), "\($0)", file: file, line: line)
            XCTAssertTrue("\($0)".contains(expected), "\($0) lacks '\(expected)'", file: file, line: line)
        }
    }

    func setInt32(_ f: inout SafeTensors.File, _ name: String, _ index: Int, _ value: Int32) {
        var v = f.tensors[name]!.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        v[index] = value
        f.tensors[name] = .init(int32: v)
    }

    func firstInternal(_ f: SafeTensors.File) -> Int {
        f.tensors["left"]!.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }.firstIndex { $0 >= 0 }!
    }

    func testHostileFilesAreRefused() throws {
        try assertRefused("children") { setInt32(&$0, "left", firstInternal($0), 100_000) }
        try assertRefused("children") { setInt32(&$0, "right", firstInternal($0), Int32(firstInternal($0))) }
        try assertRefused("children") { setInt32(&$0, "left", firstInternal($0), -7) }
        try assertRefused("splits on feature 5 of 5") { setInt32(&$0, "feature", firstInternal($0), 5) }
        try assertRefused("splits on feature -3") { setInt32(&$0, "feature", firstInternal($0), -3) }
        try assertRefused("tensor 'threshold' holds nan") { f in
            var v = f.tensors["threshold"]!.bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            v[firstInternal(f)] = .nan
            f.tensors["threshold"] = .init(dtype: .f64, shape: [v.count], bytes: v.withUnsafeBytes { Data($0) })
        }
        try assertRefused("not a range") { setInt32(&$0, "tree_offsets", 2, 1_000_000) }
        try assertRefused("not a range") { setInt32(&$0, "tree_offsets", 2, 0) }
        try assertRefused("tree_offsets") { $0.tensors["tree_offsets"] = nil }
        try assertRefused("'value'") { $0.tensors["value"] = .init(int32: [1, 2, 3]) }
        try assertRefused("not an Earmark random forest") { $0.metadata["format"] = "keras" }
        try assertRefused("format version 2") { $0.metadata["format_version"] = "2" }
        try assertRefused("class_names") { $0.metadata["class_names"] = "[\"dog\"]" }
        try assertRefused("n_features") { $0.metadata["n_features"] = "-1" }
    }

    func testTruncatedFileIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("cut.safetensors")
        let bytes = SafeTensors.encode(ForestFile.encode(try trained().0))
        for length in [0, 5, 100, bytes.count - 1] {
            try bytes.prefix(length).write(to: url)
            XCTAssertThrowsError(try ForestFile.load(contentsOf: url)) {
                XCTAssertTrue("\($0)".contains(url.path), "\($0)")
            }
        }
    }
}
