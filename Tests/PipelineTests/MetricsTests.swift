import Pipeline
import Tensor
import TestSupport
import XCTest

/// Earmark's metrics against scikit-learn (Tests/Fixtures/make_metric_fixtures.py).
final class MetricsTests: XCTestCase {
    func testROCAUCAndPartialAUCMatchScikitLearn() throws {
        let f = try Fixtures.load("metrics/roc.safetensors")
        let scores = try f.tensor("scores").data.map(Double.init)
        let positive = try f.integers("labels").values.map { $0 == 1 }
        let roc = try XCTUnwrap(ROC(scores: scores, positive: positive))
        XCTAssertEqual(roc.auc, Double(try f.tensor("auc").data[0]), accuracy: 1e-6)
        XCTAssertEqual(roc.partialAUC(maxFPR: 0.1), Double(try f.tensor("pauc_0.1").data[0]), accuracy: 1e-6)
        XCTAssertEqual(roc.partialAUC(maxFPR: 0.3), Double(try f.tensor("pauc_0.3").data[0]), accuracy: 1e-6)
    }

    func testROCEdgeCases() {
        XCTAssertNil(ROC(scores: [0.1, 0.9], positive: [true, true]), "one class only: undefined")
        let perfect = ROC(scores: [0.9, 0.8, 0.2, 0.1], positive: [true, true, false, false])!
        XCTAssertEqual(perfect.auc, 1)
        XCTAssertEqual(perfect.partialAUC(maxFPR: 0.1), 1, accuracy: 1e-12)
        let tied = ROC(scores: [0.5, 0.5, 0.5, 0.5], positive: [true, false, true, false])!
        XCTAssertEqual(tied.auc, 0.5)
        let t = perfect.threshold(forFalsePositiveRate: 0)
        XCTAssertEqual(t.threshold, 0.8)
        XCTAssertEqual(t.tpr, 1)
    }

    func testClassificationReportMatchesScikitLearn() throws {
        let f = try Fixtures.load("metrics/roc.safetensors")
        let report = ClassificationReport(classes: ["a", "b", "c"], truth: try f.integers("truth").values,
                                          predicted: try f.integers("predicted").values)
        XCTAssertEqual(report.confusion.flatMap { $0 }, try f.integers("confusion").values)
        assertClose((0..<3).map { Float(report.precision($0)) }, try f.tensor("precision").data, tolerance: 1e-6,
                    "precision")
        assertClose((0..<3).map { Float(report.recall($0)) }, try f.tensor("recall").data, tolerance: 1e-6, "recall")
        assertClose((0..<3).map { Float(report.f1($0)) }, try f.tensor("f1").data, tolerance: 1e-6, "f1")
        XCTAssertTrue(report.table().contains("precision"))
    }
}
