import Pipeline
import XCTest

/// File-level train/validation/test split: stratified, seeded, disjoint, with the documented rounding.
final class DataSplitTests: XCTestCase {
    /// 30 "a", 10 "b", 3 "c", 2 "d", interleaved so that indices of a class are not contiguous.
    static let labels: [String] = {
        var labels: [String] = []
        for i in 0..<30 {
            labels.append("a")
            if i < 10 { labels.append("b") }
            if i < 3 { labels.append("c") }
            if i < 2 { labels.append("d") }
        }
        return labels
    }()

    func testRoundingRule() {
        func sizes(_ n: Int, _ t: Double = 0.2, _ v: Double = 0.1) -> [Int] {
            let s = DataSplit.partSizes(files: n, testFraction: t, validationFraction: v)
            return [s.train, s.validation, s.test]
        }
        XCTAssertEqual(sizes(1), [1, 0, 0])
        XCTAssertEqual(sizes(2), [2, 0, 0])
        XCTAssertEqual(sizes(3), [1, 1, 1])
        XCTAssertEqual(sizes(4), [2, 1, 1])
        XCTAssertEqual(sizes(5), [3, 1, 1])
        XCTAssertEqual(sizes(10), [7, 1, 2])
        XCTAssertEqual(sizes(13), [9, 1, 3])    // 2.6 -> 3 test; 10 * 0.1 = 1 validation
        XCTAssertEqual(sizes(30), [22, 2, 6])   // 24 * 0.1 = 2.4 -> 2
        XCTAssertEqual(sizes(45), [32, 4, 9])   // 36 * 0.1 = 3.6 -> 4
        XCTAssertEqual(sizes(25), [18, 2, 5])   // 20 * 0.1 = 2
        XCTAssertEqual(sizes(75), [54, 6, 15])  // 60 * 0.1 = 6
        XCTAssertEqual(sizes(55), [40, 4, 11])  // 44 * 0.1 = 4.4 -> 4
        XCTAssertEqual(sizes(3, 0.5, 0.5), [1, 1, 1])   // training keeps one file
        XCTAssertEqual(sizes(10, 0.25, 0.5), [3, 4, 3]) // 2.5 -> 3 test (half up), 7 * 0.5 = 3.5 -> 4
        XCTAssertEqual(sizes(10, 0, 0.1), [9, 1, 0])
        XCTAssertEqual(sizes(10, 0.2, 0), [8, 0, 2])
        XCTAssertEqual(sizes(3, 0.2, 0), [2, 0, 1])
        XCTAssertEqual(sizes(10, 0, 0), [10, 0, 0])
    }

    func testStratifiedDisjointCompleteSorted() throws {
        let labels = Self.labels
        let split = try DataSplit(labels: labels, seed: 1)
        let all = split.train + split.validation + split.test
        XCTAssertEqual(all.sorted(), Array(0..<labels.count), "every file exactly once")
        for part in [split.train, split.validation, split.test] { XCTAssertEqual(part, part.sorted()) }
        func count(_ part: [Int], _ label: String) -> Int { part.filter { labels[$0] == label }.count }
        let expected: [String: [Int]] = ["a": [22, 2, 6], "b": [7, 1, 2], "c": [1, 1, 1], "d": [2, 0, 0]]
        for (label, sizes) in expected {
            XCTAssertEqual([count(split.train, label), count(split.validation, label), count(split.test, label)],
                           sizes, label)
        }
        XCTAssertEqual(split.counts.map(\.label), ["a", "b", "c", "d"])
        XCTAssertEqual(split.counts.map { [$0.train, $0.validation, $0.test] },
                       [[22, 2, 6], [7, 1, 2], [1, 1, 1], [2, 0, 0]])
        XCTAssertEqual(split.warnings.count, 1)
        XCTAssertTrue(split.warnings[0].description.contains("class 'd' has only 2 files"), "\(split.warnings[0])")
    }

    func testSeededDeterministicAndSeedMatters() throws {
        let labels = Self.labels
        let a = try DataSplit(labels: labels, seed: 11), b = try DataSplit(labels: labels, seed: 11)
        XCTAssertEqual(a, b)
        let c = try DataSplit(labels: labels, seed: 12)
        XCTAssertNotEqual(a.test, c.test)
        // the test files of class "a" are a real draw, not the first or last files of the class
        let aIndices = labels.indices.filter { labels[$0] == "a" }
        let testA = a.test.filter { labels[$0] == "a" }
        XCTAssertNotEqual(testA, Array(aIndices.prefix(6)))
        XCTAssertNotEqual(testA, Array(aIndices.suffix(6)))
    }

    func testAClassDrawDoesNotDependOnOtherClasses() throws {
        let base = try DataSplit(labels: Self.labels, seed: 5)
        let grown = try DataSplit(labels: Self.labels + Array(repeating: "e", count: 7), seed: 5)
        for label in ["a", "b", "c"] {
            let pick = { (part: [Int]) in part.filter { Self.labels.indices.contains($0) && Self.labels[$0] == label } }
            XCTAssertEqual(pick(base.test), pick(grown.test), label)
            XCTAssertEqual(pick(base.validation), pick(grown.validation), label)
        }
    }

    func testSingleFileClassAndBadArguments() throws {
        let split = try DataSplit(labels: ["x", "y", "y", "y"], seed: 0)
        XCTAssertTrue(split.train.contains(0))
        XCTAssertEqual(split.warnings.map(\.description),
                       ["warning: class 'x' has only 1 file: all go to training, so validation and test have "
                        + "none of it (3 or more files are needed)"])
        XCTAssertTrue(try DataSplit(labels: ["x"], testFraction: 0, validationFraction: 0, seed: 0).warnings.isEmpty)
        XCTAssertThrowsError(try DataSplit(labels: [], seed: 0)) { XCTAssertTrue("\($0)".contains("no files")) }
        XCTAssertThrowsError(try DataSplit(labels: ["x"], testFraction: 1, seed: 0)) {
            XCTAssertTrue("\($0)".contains("test fraction is 1.0, it must be in [0, 1)"), "\($0)")
        }
        XCTAssertThrowsError(try DataSplit(labels: ["x"], validationFraction: -0.1, seed: 0))
        XCTAssertThrowsError(try DataSplit(labels: ["x"], testFraction: .nan, seed: 0))
    }
}
