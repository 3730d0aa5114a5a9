import Pipeline
import Tensor
import XCTest

/// Splits and folds by group: every group in one part, stratified by the groups' classes, seeded.
final class GroupSplitTests: XCTestCase {
    /// A random table: 2-4 classes, 1-12 groups per class of 1-4 files, a few files without a
    /// group and a few mixed groups; files shuffled so groups are not contiguous.
    static func randomTable(_ seed: UInt64) -> (labels: [String], groups: [String]) {
        var rng = RandomGenerator(seed: seed)
        var rows: [(String, String)] = []
        for c in 0..<(2 + rng.nextInt(below: 3)) {
            for g in 0..<(1 + rng.nextInt(below: 12)) {
                for _ in 0..<(1 + rng.nextInt(below: 4)) {
                    let label = rng.nextInt(below: 10) == 0 ? "c\((c + 1) % 2)" : "c\(c)"   // some mixed groups
                    rows.append((label, rng.nextInt(below: 15) == 0 ? "" : "g\(c)-\(g)"))
                }
            }
        }
        for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, rng.nextInt(below: i + 1)) }
        return (rows.map(\.0), rows.map(\.1))
    }

    /// The part (0 train, 1 validation, 2 test) of every file.
    static func parts(_ s: DataSplit, count: Int) -> [Int] {
        var part = [Int](repeating: -1, count: count)
        for (p, rows) in [s.train, s.validation, s.test].enumerated() { for r in rows { part[r] = p } }
        return part
    }

    func testEveryGroupStaysInOnePartOverRandomTables() throws {
        for seed in 0..<200 as Range<UInt64> {
            let (labels, groups) = Self.randomTable(seed)
            let split = try DataSplit(labels: labels, groups: groups, seed: seed)
            XCTAssertEqual((split.train + split.validation + split.test).sorted(), Array(labels.indices), "\(seed)")
            let part = Self.parts(split, count: labels.count)
            var partOfGroup: [String: Int] = [:]
            for (i, g) in groups.enumerated() where !g.isEmpty {
                if let p = partOfGroup[g] { XCTAssertEqual(p, part[i], "seed \(seed): group \(g) split") }
                partOfGroup[g] = part[i]
            }
            XCTAssertEqual(split, try DataSplit(labels: labels, groups: groups, seed: seed), "deterministic")
            // group counts follow the by-file rule applied to each class's groups
            for count in split.groupCounts! {
                let n = count.train + count.validation + count.test
                let sizes = DataSplit.partSizes(files: n, testFraction: 0.2, validationFraction: 0.1)
                XCTAssertEqual([count.train, count.validation, count.test], [sizes.train, sizes.validation, sizes.test])
            }
            XCTAssertEqual(split.counts.map { $0.train + $0.validation + $0.test }.reduce(0, +), labels.count)
        }
    }

    func testStratifiedByGroupClass() throws {
        // class a: 10 groups of 3 files, class b: 5 groups of 2 files
        var labels: [String] = [], groups: [String] = []
        for g in 0..<10 { for _ in 0..<3 { labels.append("a"); groups.append("a\(g)") } }
        for g in 0..<5 { for _ in 0..<2 { labels.append("b"); groups.append("b\(g)") } }
        let split = try DataSplit(labels: labels, groups: groups, column: "part", seed: 3)
        XCTAssertEqual(split.groupCounts!.map { [$0.label: [$0.train, $0.validation, $0.test]] },
                       [["a": [7, 1, 2]], ["b": [3, 1, 1]]])
        XCTAssertEqual(split.counts.map { [$0.train, $0.validation, $0.test] }, [[21, 3, 6], [6, 2, 2]])
        XCTAssertTrue(split.warnings.isEmpty)
        XCTAssertNotEqual(split.test, try DataSplit(labels: labels, groups: groups, seed: 4).test, "seed matters")
    }

    func testOneFilePerGroupGivesTheByFileSplit() throws {
        let labels = DataSplitTests.labels
        for seed in [0, 1, 7] as [UInt64] {
            let byFile = try DataSplit(labels: labels, seed: seed)
            let byGroup = try DataSplit(labels: labels, groups: labels.indices.map { "f\($0)" }, seed: seed)
            XCTAssertEqual([byFile.train, byFile.validation, byFile.test],
                           [byGroup.train, byGroup.validation, byGroup.test])
            XCTAssertEqual(byFile.counts, byGroup.counts)
            XCTAssertNil(byFile.groupCounts)
        }
    }

    func testWarningsForFewGroupsAndMixedGroups() throws {
        let labels = ["a", "a", "a", "b", "b", "b", "b"], groups = ["m1", "m1", "m2", "m3", "m3", "m4", "m1"]
        let split = try DataSplit(labels: labels, groups: groups, column: "machine", seed: 0)
        let text = split.warnings.map(\.description)
        XCTAssertEqual(text, [
            "warning: column 'machine': group 'm1' has files of more than one label: each stays whole and is "
                + "stratified as its majority label",
            "warning: class 'a' has only 2 groups in column 'machine': all go to training, so validation and test "
                + "have none of it (3 or more groups are needed)",
            "warning: class 'b' has only 2 groups in column 'machine': all go to training, so validation and test "
                + "have none of it (3 or more groups are needed)"])
        XCTAssertEqual(split.train, Array(0..<7))
    }

    func testFoldsAreDisjointCoveringStratifiedAndGroupAware() throws {
        var checked = 0
        for seed in 0..<100 as Range<UInt64> {
            let (labels, groups) = Self.randomTable(seed)
            let k = 2 + Int(seed % 4)
            let folds: Folds
            do { folds = try Folds(labels: labels, groups: groups, count: k, seed: seed) } catch {
                // a table too small for k folds: one of the two refusals Folds documents, nothing else
                let text = "\(error)"
                XCTAssertTrue(text.contains("folds need at least") || text.contains("has only one"), "seed \(seed): \(text)")
                continue
            }
            checked += 1
            XCTAssertEqual((0..<k).flatMap { folds.test($0) }.sorted(), Array(labels.indices), "covering")
            for f in 0..<k {
                XCTAssertEqual(Set(folds.test(f)).intersection(folds.rest(f)), [])
                XCTAssertEqual(folds.test(f).count + folds.rest(f).count, labels.count)
            }
            var foldOfGroup: [String: Int] = [:]
            for (i, g) in groups.enumerated() where !g.isEmpty {
                if let f = foldOfGroup[g] { XCTAssertEqual(f, folds.fold[i], "seed \(seed): group \(g)") }
                foldOfGroup[g] = folds.fold[i]
            }
            XCTAssertEqual(folds, try Folds(labels: labels, groups: groups, count: k, seed: seed))
        }
        XCTAssertGreaterThan(checked, 50, "most random tables make folds")
    }

    func testFoldsByFileSpreadEachClassEvenly() throws {
        let labels = DataSplitTests.labels.filter { $0 != "d" }    // 30 a, 10 b, 3 c
        let folds = try Folds(labels: labels, groups: nil, count: 5, seed: 2)
        XCTAssertNil(folds.groupColumn)
        for label in ["a", "b", "c"] {
            let perFold = (0..<5).map { f in folds.test(f).filter { labels[$0] == label }.count }
            XCTAssertLessThanOrEqual(perFold.max()! - perFold.min()!, 1, "\(label): \(perFold)")
        }
        XCTAssertEqual(folds.groupsPerFold.reduce(0, +), labels.count)
        XCTAssertLessThanOrEqual(folds.groupsPerFold.max()! - folds.groupsPerFold.min()!, 1)
        XCTAssertEqual(folds.warnings.map(\.description),
                       ["warning: class 'c' has 3 files for 5 folds: 2 folds test none of it"])
        XCTAssertNotEqual(folds.fold, try Folds(labels: labels, groups: nil, count: 5, seed: 3).fold)
    }

    func testFoldErrors() {
        XCTAssertThrowsError(try Folds(labels: ["a", "a"], groups: nil, count: 1, seed: 0)) {
            XCTAssertTrue("\($0)".contains("at least 2 folds"), "\($0)")
        }
        XCTAssertThrowsError(try Folds(labels: ["a", "a", "b", "b"], groups: ["x", "x", "y", "y"], count: 3, seed: 0)) {
            XCTAssertTrue("\($0)".contains("3 folds need at least 3 groups, the data has 2"), "\($0)")
        }
        XCTAssertThrowsError(try Folds(labels: ["a", "a", "b", "b"], groups: ["x", "x", "y", "z"], column: "part",
                                       count: 2, seed: 0)) {
            XCTAssertTrue("\($0)".contains("class 'a' has only one group in column 'part'"), "\($0)")
        }
    }

    func testMeanAndSampleDeviation() {
        let (mean, sd) = CrossValidation.meanAndDeviation([0.5, 0.7, 0.9])
        XCTAssertEqual(mean, 0.7, accuracy: 1e-12)
        XCTAssertEqual(sd, 0.2, accuracy: 1e-12)
        XCTAssertEqual(CrossValidation.meanAndDeviation([0.4]).standardDeviation, 0)
        XCTAssertTrue(CrossValidation.meanAndDeviation([]).mean.isNaN)
    }
}
