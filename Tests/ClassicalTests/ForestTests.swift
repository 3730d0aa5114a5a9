@testable import Classical
import Foundation
import Tensor
import TestSupport
import XCTest

/// Behaviour of the forest beyond scikit-learn parity: limits, class weights, seeding.
final class ForestTests: XCTestCase {
    /// N rows x F features of uniform noise; the class is decided by feature 0 (and 1 for class 2),
    /// with class 0 taking `share0` of the rows.
    static func data(rows: Int, features: Int = 5, seed: UInt64 = 1, share0: Float = 0.5) -> (Tensor, [Int]) {
        var rng = RandomGenerator(seed: seed)
        var x = [Float](), y = [Int]()
        for _ in 0..<rows {
            let row = (0..<features).map { _ in rng.nextUniform() }
            x += row
            y.append(row[0] < share0 ? 0 : (row[1] < 0.5 ? 1 : 2))
        }
        return (Tensor(shape: [rows, features], data: x), y)
    }

    func testMinSamplesLeafIsRespectedInEveryTree() throws {
        let (x, y) = Self.data(rows: 300)
        for leaf in [1, 4, 9] {
            let p = ForestParameters(nEstimators: 8, minSamplesLeaf: leaf)
            let forest = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
            for tree in forest.trees {
                let leaves = (0..<tree.nodeCount).filter { tree.left[$0] < 0 }
                XCTAssertGreaterThan(leaves.count, 1)
                XCTAssertGreaterThanOrEqual(leaves.map { tree.nodeSamples[$0] }.min()!, Int32(leaf),
                                            "min_samples_leaf \(leaf)")
            }
        }
    }

    func testMaxDepthLimitsEveryPath() throws {
        let (x, clean) = Self.data(rows: 200)
        let y = clean.enumerated().map { $0.offset % 5 == 0 ? ($0.element + 1) % 3 : $0.element }  // 20% noise
        let forest = try RandomForestClassifier.fit(x, labels: y, classCount: 3,
                                                    parameters: ForestParameters(nEstimators: 4, maxDepth: 3))
        let unlimited = try RandomForestClassifier.fit(x, labels: y, classCount: 3,
                                                       parameters: ForestParameters(nEstimators: 1))
        XCTAssertGreaterThan(unlimited.trees[0].nodeCount, 15, "the data needs more than depth 3")
        for tree in forest.trees {
            var depth = [Int](repeating: 0, count: tree.nodeCount)
            for node in 0..<tree.nodeCount where tree.left[node] >= 0 {
                depth[Int(tree.left[node])] = depth[node] + 1
                depth[Int(tree.right[node])] = depth[node] + 1
            }
            XCTAssertEqual(depth.max(), 3)
        }
    }

    /// "balanced": every class carries the same total weight at each root (without bootstrap), and the
    /// minority class is found more often than without weights.
    func testBalancedClassWeights() throws {
        let (x, y) = Self.data(rows: 400, seed: 3, share0: 0.9)
        var p = ForestParameters(nEstimators: 1, maxDepth: 2, bootstrap: false, classWeight: .balanced)
        let weighted = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
        let root = Array(weighted.trees[0].value[0..<3])
        for k in 0..<3 { XCTAssertEqual(root[k], 400.0 / 3, accuracy: 1e-9, "class \(k) weight at the root") }
        XCTAssertEqual(weighted.trees[0].weightedSamples[0], 400, accuracy: 1e-9)

        p.classWeight = .none
        let plain = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
        let minority = y.indices.filter { y[$0] != 0 }
        func recall(_ f: RandomForestClassifier) -> Int {
            let predicted = f.predict(x)
            return minority.filter { predicted[$0] == y[$0] }.count
        }
        XCTAssertGreaterThan(recall(weighted), recall(plain))

        // balanced_subsample: the weights are balanced on each tree's bootstrap draws
        p = ForestParameters(nEstimators: 6, classWeight: .balancedSubsample)
        let forest = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
        for tree in forest.trees {
            for k in 0..<3 {
                XCTAssertEqual(tree.value[k], 400.0 / 3, accuracy: 1e-9, "class \(k) weight at the root")
            }
        }
    }

    func testProbabilitiesAreDistributionsAndSeedsReproduce() throws {
        let (x, y) = Self.data(rows: 150)
        let p = ForestParameters(nEstimators: 10, seed: 42)
        let a = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
        let b = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: p)
        XCTAssertEqual(a.trees, b.trees, "same seed, same trees (grown in parallel)")
        var other = p
        other.seed = 43
        let c = try RandomForestClassifier.fit(x, labels: y, classCount: 3, parameters: other)
        XCTAssertNotEqual(c.trees, a.trees)
        let proba = a.probabilities(x)
        for i in 0..<150 { XCTAssertEqual(proba[(i * 3)..<(i * 3 + 3)].reduce(0, +), 1, accuracy: 1e-12) }
        let importances = a.featureImportances
        XCTAssertEqual(importances.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(importances.firstIndex(of: importances.max()!), 0, "feature 0 decides most")
    }

    func testMaxFeaturesSettings() {
        XCTAssertEqual(MaxFeatures.sqrt.resolve(features: 20), 4)
        XCTAssertEqual(MaxFeatures.log2.resolve(features: 20), 4)
        XCTAssertEqual(MaxFeatures.all.resolve(features: 20), 20)
        XCTAssertEqual(MaxFeatures.count(7).resolve(features: 20), 7)
        XCTAssertNil(MaxFeatures.count(21).resolve(features: 20))
        XCTAssertEqual(MaxFeatures.fraction(0.33).resolve(features: 20), 6)
        for text in ["sqrt", "log2", "none", "7", "0.33"] { XCTAssertEqual(MaxFeatures(text)?.description, text) }
        XCTAssertNil(MaxFeatures("half"))
    }

    func testBadTrainingDataIsAnError() {
        let (x, y) = Self.data(rows: 20)
        var nan = x
        nan.data[7] = .nan
        XCTAssertThrowsError(try RandomForestClassifier.fit(nan, labels: y, classCount: 3, parameters: .init())) {
            XCTAssertTrue("\($0)".contains("feature 2 of row 1"), "\($0)")
        }
        XCTAssertThrowsError(try RandomForestClassifier.fit(x, labels: y.map { $0 + 1 }, classCount: 3,
                                                            parameters: .init()))
        XCTAssertThrowsError(try RandomForestClassifier.fit(x, labels: y, classCount: 3,
                                                            parameters: .init(maxFeatures: .count(9))))
        XCTAssertThrowsError(try RandomForestClassifier.fit(x, labels: Array(y.dropLast()), classCount: 3,
                                                            parameters: .init()))
    }
}
