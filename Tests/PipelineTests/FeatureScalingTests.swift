import Foundation
import Pipeline
import Tensor
import XCTest

/// FeatureScaling: fitted to the training features, applied to training, validation and
/// prediction windows alike, stored with the model as feature_min / feature_max.
final class FeatureScalingTests: XCTestCase {
    func testMinMaxFitFindsTheGlobalExtremes() {
        let x = Tensor(shape: [2, 3], data: [3, -1.5, 7, 0, 2, -4])
        XCTAssertEqual(FeatureScaling.minMax(fittedTo: x), .minMax(min: -4, max: 7))
        XCTAssertEqual(FeatureScaling.minMax(fittedTo: Tensor(shape: [0, 3])), .minMax(min: .infinity, max: -.infinity))
    }

    func testApplyIsTheMinMaxFormula() {
        let values: [Float] = [-33.52896, 50.704666, 0, 1.25, -7.5, 12, 49.9, -33.5]
        let lo: Float = -33.52896, hi: Float = 50.704666
        var x = Tensor(shape: [2, 4], data: values)
        FeatureScaling.minMax(min: lo, max: hi).apply(to: &x)
        XCTAssertEqual(x.shape, [2, 4])
        for (scaled, raw) in zip(x.data, values) {
            let expected = (Double(raw) - Double(lo)) / (Double(hi) - Double(lo))
            XCTAssertEqual(Double(scaled), expected, accuracy: 1e-6)
        }
        XCTAssertEqual(x.data[0], 0)
        XCTAssertEqual(x.data[1], 1, accuracy: 1e-6)
    }

    func testFittedScalingMapsTheTrainingFeaturesOntoZeroOne() {
        var x = Tensor(shape: [5], data: [2, 4, 6, 8, 10])
        let s = FeatureScaling.minMax(fittedTo: x)
        s.apply(to: &x)
        XCTAssertEqual(x.data, [0, 0.25, 0.5, 0.75, 1])
    }

    func testConstantOrNonFiniteFeaturesAreAProblem() {
        XCTAssertNil(FeatureScaling.minMax(min: -1, max: 1).problem)
        XCTAssertEqual(FeatureScaling.minMax(min: 2, max: 2).problem, "constant or not finite (min 2.0, max 2.0)")
        XCTAssertNotNil(FeatureScaling.minMax(min: -.infinity, max: 1).problem)
        XCTAssertNotNil(FeatureScaling.minMax(min: 0, max: .nan).problem)
        XCTAssertNotNil(FeatureScaling.minMax(fittedTo: Tensor(shape: [0])).problem)
    }

    func testMetadataKeysAndRoundTrip() throws {
        let s = FeatureScaling.minMax(min: -33.52896, max: 50.704666)
        XCTAssertEqual(s.metadata, ["feature_min": "-33.52896", "feature_max": "50.704666"])
        let back = try FeatureScaling { key in try XCTUnwrap(s.metadata[key]) }
        XCTAssertEqual(back, s)
        XCTAssertEqual(s.tensors["min"]?.data, [-33.52896])
        XCTAssertEqual(s.tensors["max"]?.shape, [1])
    }

    func testUnusableMetadataIsInvalid() {
        for stored in [["feature_min": "x", "feature_max": "1"], ["feature_min": "1", "feature_max": "1"],
                       ["feature_min": "nan", "feature_max": "1"], ["feature_min": "0", "feature_max": "inf"],
                       // a range wider than a float: every input was scaled to 0, without a word
                       ["feature_min": "-3e38", "feature_max": "3e38"]] {
            XCTAssertThrowsError(try FeatureScaling { stored[$0]! }, "\(stored)") { error in
                XCTAssertEqual(String(describing: error),
                               "metadata feature_min/feature_max are not two finite numbers with min < max")
            }
        }
    }

    func testAMissingKeyIsWhatTheReaderThrows() {
        struct Missing: Error, Equatable { let key: String }
        XCTAssertThrowsError(try FeatureScaling { key in
            guard key == "feature_min" else { throw Missing(key: key) }
            return "0"
        }) { XCTAssertEqual($0 as? Missing, Missing(key: "feature_max")) }
    }
}
