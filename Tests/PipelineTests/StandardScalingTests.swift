import Foundation
import Pipeline
import Tensor
import XCTest

/// `scaling: standard`: per-coefficient mean and population std over every training frame, the
/// a constant coefficient divided by 1, stored in model metadata and the cache, applied as (x - mean) / std.
final class StandardScalingTests: XCTestCase {
    func testFitIsTheFormulaPerCoefficient() {
        // (W 2, F 3, C 2, 1): coefficient 0 takes 1...6, coefficient 1 is constant 5
        let x = Tensor(shape: [2, 3, 2, 1], data: [1, 5, 2, 5, 3, 5, 4, 5, 5, 5, 6, 5])
        guard case let .standard(mean, std) = FeatureScaling.standard(fittedTo: x, coefficients: 2) else {
            return XCTFail("not standard")
        }
        XCTAssertEqual(mean, [3.5, 5])
        XCTAssertEqual(Double(std[0]), (17.5 / 6).squareRoot(), accuracy: 1e-6)    // ddof 0
        XCTAssertEqual(std[1], 1, "a constant coefficient is divided by 1")
        XCTAssertEqual(FeatureScaling.fitted(.standard, to: x, coefficients: 2), .standard(mean: mean, std: std))
        XCTAssertEqual(FeatureScaling.fitted(.minmax, to: x, coefficients: 2), .minMax(min: 1, max: 6))

        var y = x
        FeatureScaling.standard(mean: mean, std: std).apply(to: &y)
        for i in 0..<x.count {
            XCTAssertEqual(y.data[i], (x.data[i] - mean[i % 2]) / std[i % 2], accuracy: 1e-6)
        }
        XCTAssertEqual(y.data.enumerated().filter { $0.offset % 2 == 1 }.map(\.element), [0, 0, 0, 0, 0, 0])
    }

    func testRandomFramesBecomeZeroMeanUnitStd() {
        var rng = RandomGenerator(seed: 7)
        let C = 5
        var x = Tensor(shape: [40, 7, C], data: (0..<(40 * 7 * C)).map { i in
            Float(i % C) * 10 + Float(rng.nextUniformDouble() * 4 - 2) * Float(1 + i % C)
        })
        let s = FeatureScaling.standard(fittedTo: x, coefficients: C)
        XCTAssertNil(s.problem)
        s.apply(to: &x)
        for c in 0..<C {
            let values = stride(from: c, to: x.count, by: C).map { Double(x.data[$0]) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-4)
        }
    }

    func testMetadataRoundTripAndProblems() throws {
        let s = FeatureScaling.standard(mean: [-33.52896, 0.1], std: [2.5, 1e-6])
        XCTAssertEqual(s.metadata, ["feature_scaling": "standard", "feature_mean": "[-33.52896, 0.1]",
                                    "feature_std": "[2.5, 1e-06]"])
        XCTAssertEqual(try FeatureScaling(metadata: { try XCTUnwrap(s.metadata[$0]) }, method: "standard"), s)
        XCTAssertEqual(s.tensors["mean"]?.shape, [2])
        XCTAssertEqual(s.coefficients, 2)
        XCTAssertNil(FeatureScaling.minMax(min: 0, max: 1).coefficients)
        for (mean, std) in [("[1, 2]", "[1]"), ("[nan]", "[1]"), ("1", "[1]"), ("[]", "[]"), ("[0]", "[0]")] {
            let stored = ["feature_mean": mean, "feature_std": std]
            XCTAssertThrowsError(try FeatureScaling(metadata: { stored[$0]! }, method: "standard"), "\(stored)")
        }
        XCTAssertThrowsError(try FeatureScaling(metadata: { _ in "1" }, method: "zscore"))
        XCTAssertNotNil(FeatureScaling.standard(fittedTo: Tensor(shape: [0, 3]), coefficients: 3).problem)
        // min/max files (no feature_scaling entry) read as before
        let old = ["feature_min": "-1", "feature_max": "2"]
        XCTAssertEqual(try FeatureScaling(metadata: { old[$0]! }), .minMax(min: -1, max: 2))
        XCTAssertEqual(try FeatureScaling(metadata: { old[$0]! }, method: "minmax"), .minMax(min: -1, max: 2))
    }

    func testFitApplyAndStoredForm() throws {
        let x = Tensor(shape: [3, 3], data: [1, 10, 5, 2, 20, 5, 3, 60, 5])
        let s = FeatureScaling.standard(fittedTo: x, coefficients: 3)
        guard case let .standard(mean, std) = s else { return XCTFail("\(s)") }
        XCTAssertEqual(mean, [2, 30, 5])
        XCTAssertEqual(std[0], Float((2.0 / 3).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(std[1], Float((1400.0 / 3).squareRoot()), accuracy: 1e-4)
        XCTAssertEqual(std[2], 1, "a constant column is divided by 1")
        XCTAssertNil(s.problem)
        var y = x
        s.apply(to: &y)
        for j in 0..<3 {
            let column = (0..<3).map { Double(y.data[$0 * 3 + j]) }
            XCTAssertEqual(column.reduce(0, +) / 3, 0, accuracy: 1e-6)
        }
        XCTAssertEqual(Array(y.data[6..<9]).map { Double($0) }[2], 0)
        let meta = s.metadata
        XCTAssertEqual(try FeatureScaling(metadata: { key in
            guard let v = meta[key] else { throw CocoaError(.fileReadUnknown) }
            return v
        }, method: "standard"), s)
        XCTAssertEqual(s.tensors["mean"]?.shape, [3])
        XCTAssertNotNil(FeatureScaling.standard(mean: [], std: []).problem)
        XCTAssertNotNil(FeatureScaling.standard(mean: [.nan], std: [1]).problem)
        let unequal = ["feature_mean": "[1,2]", "feature_std": "[1]"]
        XCTAssertThrowsError(try FeatureScaling(metadata: { key in
            guard let v = unequal[key] else { throw CocoaError(.fileReadUnknown) }
            return v
        }, method: "standard")) { XCTAssertTrue(String(describing: $0).contains("feature_mean/feature_std")) }
    }
}
