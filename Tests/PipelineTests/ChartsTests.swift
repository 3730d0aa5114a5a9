import Foundation
@testable import Pipeline
import TestSupport
import XCTest

/// Axis ticks of the report's charts.
final class ChartsTests: XCTestCase {
    func testTicksAreRoundValuesCoveringTheRange() {
        func labels(_ t: [Double]) -> [String] { t.map(Charts.label) }
        XCTAssertEqual(labels(Charts.ticks(0, 1)), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        XCTAssertEqual(labels(Charts.ticks(1, 3)), ["1", "1.5", "2", "2.5", "3"])
        XCTAssertEqual(labels(Charts.ticks(0, 100)), ["0", "20", "40", "60", "80", "100"])
        XCTAssertEqual(Charts.ticks(2, 2), [2])
    }

    func testAWholeNumberAxisHasNoTickBetweenTwoEpochs() {
        XCTAssertEqual(Charts.ticks(1, 3, minimumStep: 1), [1, 2, 3])
        XCTAssertEqual(Charts.ticks(1, 2, minimumStep: 1), [1, 2])
        XCTAssertEqual(Charts.ticks(1, 40, minimumStep: 1), [10, 20, 30, 40])
    }

    /// The training curves of a 3-epoch run label the epoch axis 1, 2, 3 only (they showed 1.5 and 2.5).
    func testTheCurvesOfAShortRunLabelWholeEpochs() {
        let history = (1...3).map {
            EpochRecord(epoch: $0, loss: 1 / Double($0), accuracy: 0.5, validationLoss: 1, validationAccuracy: 0.5,
                        seconds: 1)
        }
        for chart in RunReport.curveCharts(history, title: "run") {
            let labels = xAxisLabels(chart)
            XCTAssertEqual(labels, ["1", "2", "3"], chart)
        }
    }

    /// A time series of half a second spans half a second of axis (it was drawn on an axis of at least 1).
    func testTheXAxisSpansTheDataAndOnePointGetsAUnitWideAxis() {
        let x = (0...8).map { Double($0) / 16 }   // 0 ... 0.5 s
        let chart = Charts.lines(title: "t", xLabel: "seconds", yLabel: "a", x: x, series: [("s", x)])
        XCTAssertEqual(xAxisLabels(chart), ["0", "0.1", "0.2", "0.3", "0.4", "0.5"])
        let one = Charts.lines(title: "t", xLabel: "epoch", yLabel: "a", x: [1], series: [("s", [0.5])], wholeNumberX: true)
        XCTAssertEqual(xAxisLabels(one), ["1", "2"])
    }

    /// `train compare`'s bars write their values as its table does (they showed 90.833% and 2.8e+04).
    func testCompareBarsWriteTheTablesFigures() {
        var comparison = Comparison()
        comparison.rows = [Comparison.Row(name: "mlp", parameters: 10, secondsPerEpoch: 1, trainingWindowsPerSecond: 27763.6,
                                          bestValidationAccuracy: 1, testFileAccuracy: 0.908333,
                                          predictMillisecondsPerClip: 1, testRows: [])]
        let (accuracy, speed) = comparison.charts()
        XCTAssertTrue(accuracy.contains(">90.8%</text>"), accuracy)
        XCTAssertTrue(speed.contains(">27764</text>"), speed)
        // without a format: three significant digits at most
        XCTAssertTrue(Charts.bars(title: "t", labels: ["a"], values: [0.12345]).contains(">0.123</text>"))
    }

    /// Two classes: compare.csv has its two AUC columns even when no config has a ROC (NaN there,
    /// n/a in compare.md); they were dropped, so the file's columns depended on the results.
    func testTheAUCColumnsOfTwoClassesDoNotDependOnTheResults() throws {
        let folder = try makeTemporaryFolder("earmark-compare-columns"); defer { try? FileManager.default.removeItem(at: folder) }
        var comparison = Comparison()
        comparison.rows = [Comparison.Row(name: "mlp", parameters: 10, secondsPerEpoch: 1, trainingWindowsPerSecond: 2,
                                          bestValidationAccuracy: 1, testFileAccuracy: 0.5,
                                          predictMillisecondsPerClip: 1, testRows: [])]
        try comparison.write(to: folder)
        let three = try String(contentsOf: folder.appendingPathComponent("compare.csv"), encoding: .utf8)
        XCTAssertFalse(three.contains("test_roc_auc"), "not two classes: no AUC columns")
        comparison.twoClasses = true
        try comparison.write(to: folder)
        let lines = try String(contentsOf: folder.appendingPathComponent("compare.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].hasSuffix(",test_roc_auc,test_partial_auc"), "\(lines)")
        XCTAssertTrue(lines[1].hasSuffix(",nan,nan"), "\(lines)")
        XCTAssertTrue(comparison.markdown().contains("| n/a | n/a |"), comparison.markdown())
    }

    /// The texts drawn on the x axis's label row (y = height - bottom + 16 in `Charts.lines`).
    private func xAxisLabels(_ svg: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"<text[^>]* y="366(\.0+)?"[^>]*>([^<]*)</text>"#)
        let range = NSRange(svg.startIndex..., in: svg)
        return pattern.matches(in: svg, range: range).compactMap { Range($0.range(at: 2), in: svg).map { String(svg[$0]) } }
    }
}
