import Foundation
import Tensor
import XCTest

/// Asserts that two float arrays agree elementwise: |a - b| <= tolerance * max(1, |b|)
/// (absolute for small values, relative above 1). On failure reports the count of mismatches,
/// the first few with index and both values, and the largest difference.
public func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4,
                        _ what: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what()): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    var bad: [String] = []
    var worst: Float = 0, mismatches = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        if !(diff <= tolerance * max(1, abs(expected[i]))) {   // also catches NaN
            mismatches += 1
            if bad.count < 5 { bad.append("[\(i)] \(actual[i]) vs \(expected[i])") }
        }
        if diff > worst || diff.isNaN { worst = diff }
    }
    if mismatches > 0 {
        XCTFail("\(what()): \(mismatches) of \(actual.count) values differ by more than \(tolerance); "
                + "max |diff| \(worst); first: \(bad.joined(separator: ", "))", file: file, line: line)
    }
}

/// Tensor form of `assertClose`: shapes must match too.
public func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4,
                        _ what: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(what()): shape \(actual.shape), expected \(expected.shape)", file: file, line: line)
        return
    }
    assertClose(actual.data, expected.data, tolerance: tolerance, what(), file: file, line: line)
}

/// Gradient form of `assertClose`: |a - e| <= tolerance * min(max(1, |e|), max(max |e|, tiny)), with
/// max |e| the expected tensor's largest magnitude. Never looser than `assertClose`, and for a tensor
/// whose values are all small the bound shrinks with its largest value, so a small gradient cannot be
/// 15% wrong and still pass. `tiny` keeps the bound finite for an all-zero expected tensor.
public func assertGradientClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4,
                                tiny: Float = 1e-12, _ what: @autoclosure () -> String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what()): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    let largest = max(expected.reduce(Float(0)) { max($0, abs($1)) }, tiny)
    var bad: [String] = []
    var worst: Float = 0, mismatches = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        if !(diff <= tolerance * min(max(1, abs(expected[i])), largest)) {   // also catches NaN
            mismatches += 1
            if bad.count < 5 { bad.append("[\(i)] \(actual[i]) vs \(expected[i])") }
        }
        if diff > worst || diff.isNaN { worst = diff }
    }
    if mismatches > 0 {
        XCTFail("\(what()): \(mismatches) of \(actual.count) values differ by more than \(tolerance) x "
                + "min(max(1, |expected|), largest |expected| \(largest)); max |diff| \(worst) "
                + "(\(worst / largest) of the largest); first: \(bad.joined(separator: ", "))",
                file: file, line: line)
    }
}

/// Tensor form of `assertGradientClose`: shapes must match too.
public func assertGradientClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4,
                                _ what: @autoclosure () -> String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(what()): shape \(actual.shape), expected \(expected.shape)", file: file, line: line)
        return
    }
    assertGradientClose(actual.data, expected.data, tolerance: tolerance, what(), file: file, line: line)
}

/// Committed reference fixtures under Tests/Fixtures (made by the Python scripts beside them).
public enum Fixtures {
    /// Tests/Fixtures, found from this source file's location.
    public static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The URL of a fixture file, relative to Tests/Fixtures.
    public static func url(_ relativePath: String) -> URL { folder.appendingPathComponent(relativePath) }

    /// Loads a safetensors fixture, failing the test with the path when it is missing or invalid.
    public static func load(_ relativePath: String) throws -> SafeTensors.File {
        try SafeTensors.read(contentsOf: url(relativePath))
    }
}

/// A fresh temporary folder, removed by the caller with `FileManager.default.removeItem`.
public func makeTemporaryFolder(_ prefix: String = "earmark-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The largest of `values`, infinity when any is NaN, 0 for none. Swift's `max()` keeps its running
/// value when it meets a NaN, so `[0.1, .nan].max()` is 0.1: a NaN after the first element would pass
/// a bound on the largest error unseen.
public func worstOf<T: BinaryFloatingPoint>(_ values: [T]) -> T {
    var worst: T = 0
    for v in values {
        if v.isNaN { return .infinity }
        worst = max(worst, v)
    }
    return worst
}

/// The largest |a[i] - b[i]| (NaN-aware, as `worstOf`); infinity when the counts differ.
public func largestDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> T {
    guard a.count == b.count else { return .infinity }
    return worstOf(zip(a, b).map { abs($0 - $1) })
}
