import Foundation
import Pipeline
import Tensor
import XCTest

/// FeatureScaling.standard (descriptor rows): per-column mean and population deviation, constant
/// columns divided by 1, stored as feature_mean / feature_std and read back exactly.
final class StandardScalingTests: XCTestCase {
    func testFitApplyAndStoredForm() throws {
        let x = Tensor(shape: [3, 3], data: [1, 10, 5, 2, 20, 5, 3, 60, 5])
        let s = FeatureScaling.standard(fittedTo: x)
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
        XCTAssertEqual(try FeatureScaling { key in
            guard let v = meta[key] else { throw CocoaError(.fileReadUnknown) }
            return v
        }, s)
        XCTAssertEqual(s.tensors["mean"]?.shape, [3])
        XCTAssertNotNil(FeatureScaling.standard(mean: [], std: []).problem)
        XCTAssertNotNil(FeatureScaling.standard(mean: [.nan], std: [1]).problem)
        let unequal = ["feature_mean": "[1,2]", "feature_std": "[1]"]
        XCTAssertThrowsError(try FeatureScaling { key in
            guard let v = unequal[key] else { throw CocoaError(.fileReadUnknown) }
            return v
        }) { XCTAssertTrue(String(describing: $0).contains("feature_mean/feature_std")) }
    }
}
