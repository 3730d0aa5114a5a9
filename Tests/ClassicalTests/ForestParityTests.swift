@testable import Classical
import Foundation
import Tensor
import TestSupport
import XCTest

/// The random forest against scikit-learn (Tests/Fixtures/make_forest_fixtures.py).
final class ForestParityTests: XCTestCase {
    /// Settings of forest_exact.safetensors: (name, parameters as in the script's CONFIGS).
    static let exactSettings: [(String, ForestParameters)] = [
        ("full", ForestParameters(nEstimators: 3)),
        ("depth", ForestParameters(nEstimators: 3, maxDepth: 4)),
        ("leaf", ForestParameters(nEstimators: 3, minSamplesLeaf: 5)),
        ("split", ForestParameters(nEstimators: 2, maxDepth: 7, minSamplesSplit: 12)),
        ("balanced", ForestParameters(nEstimators: 2, maxDepth: 6, classWeight: .balanced)),
    ]

    func doubles(_ file: SafeTensors.File, _ name: String) throws -> [Double] {
        guard let e = file.tensors[name], e.dtype == .f64 else { throw ForestError("fixture has no F64 '\(name)'") }
        return e.bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = largestDifference(a, b)
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): max |diff| \(worst)", file: file, line: line)
    }

    /// bootstrap=False, max_features=None, scikit-learn's feature draws replayed: the same trees, the
    /// same predictions, probabilities and importances within 1e-6.
    func testDeterministicForestsEqualScikitLearn() throws {
        let f = try Fixtures.load("forest/forest_exact.safetensors")
        let xTrain = try f.tensor("x_train"), xTest = try f.tensor("x_test")
        let yTrain = try f.integers("y_train").values
        for (name, settings) in Self.exactSettings {
            var p = settings
            p.bootstrap = false; p.maxFeatures = .all
            let states = try f.integers("\(name)/rand_r_state").values.map { UInt32($0) }
            XCTAssertEqual(states.count, p.nEstimators, name)
            let forest = try RandomForestClassifier.fit(xTrain, labels: yTrain, classCount: 3, parameters: p,
                                                        classNames: nil, featureNames: nil,
                                                        draws: { t, _ in ScikitLearnDraw(state: states[t]) })
            let tree = forest.trees[0]
            XCTAssertEqual(tree.feature.map(Int.init), try f.integers("\(name)/tree_feature").values,
                           "\(name) tree features")
            assertClose(tree.threshold, try doubles(f, "\(name)/tree_threshold"), 0, "\(name) tree thresholds")
            for (set, x) in [("train", xTrain), ("test", xTest)] {
                XCTAssertEqual(forest.predict(x), try f.integers("\(name)/predict_\(set)").values,
                               "\(name) predict \(set)")
                assertClose(forest.probabilities(x), try doubles(f, "\(name)/proba_\(set)"), 1e-6,
                            "\(name) proba \(set)")
            }
            assertClose(forest.featureImportances, try doubles(f, "\(name)/importances"), 1e-6, "\(name) importances")
        }
    }

    /// With bootstrap and sqrt features (different random streams from scikit-learn's), the mean test
    /// accuracy over 10 seeds is within 2 points of scikit-learn's over its 10 seeds.
    func testBootstrapAccuracyMatchesScikitLearn() throws {
        let f = try Fixtures.load("forest/forest_bootstrap.safetensors")
        let xTrain = try f.tensor("x_train"), xTest = try f.tensor("x_test")
        let yTrain = try f.integers("y_train").values, yTest = try f.integers("y_test").values
        let reference = try doubles(f, "accuracies").reduce(0, +) / 10
        var total = 0.0
        for seed in 0..<10 {
            let p = ForestParameters(nEstimators: 50, seed: UInt64(seed))
            let forest = try RandomForestClassifier.fit(xTrain, labels: yTrain, classCount: 3, parameters: p)
            let predicted = forest.predict(xTest)
            total += Double(zip(predicted, yTest).filter { $0 == $1 }.count) / Double(yTest.count)
        }
        let mean = total / 10
        XCTAssertLessThanOrEqual(abs(mean - reference), 0.02, "Swift mean accuracy \(mean), scikit-learn \(reference)")
    }
}
