import Foundation
@testable import Pipeline
import XCTest

/// `DecisionRule` (`predict --threshold`) and `OperatingPoint` (the threshold the training report
/// chooses on the validation files and scores on the test files).
final class DecisionRuleTests: XCTestCase {
    func testArgmaxTakesTheFirstOfEqualMaxima() {
        XCTAssertEqual(DecisionRule.argmax.decide([0.2, 0.5, 0.3]), 1)
        XCTAssertEqual(DecisionRule.argmax.decide([0.4, 0.2, 0.4]), 0)
    }

    func testThresholdFlagsThePositiveClassFromTheThresholdUp() {
        let rule = DecisionRule.threshold(positive: 1, at: 0.25)
        XCTAssertEqual(rule.decide([0.75, 0.25]), 1, "p == threshold is positive, as on the ROC curve")
        XCTAssertEqual(rule.decide([0.75, Float(0.25).nextDown]), 0)
        XCTAssertEqual(rule.decide([0.2, 0.8]), 1)
        let first = DecisionRule.threshold(positive: 0, at: 0.9)
        XCTAssertEqual(first.decide([0.85, 0.15]), 1, "below the threshold: the other class, though more probable")
        XCTAssertEqual(first.decide([0.9, 0.1]), 0)
    }

    func testMakeReadsTheThresholdAsAFloatAndNamesTheSecondClassPositive() throws {
        XCTAssertEqual(try DecisionRule.make(threshold: nil, positiveClass: nil, classes: ["a", "b", "c"], model: "m"),
                       .argmax)
        // the shortest decimal of a Float probability (what the report prints) is that Float exactly
        let p = Float(0.34939814)
        XCTAssertEqual(try DecisionRule.make(threshold: "\(p)", positiveClass: nil, classes: ["ok", "reject"], model: "m"),
                       .threshold(positive: 1, at: p))
        XCTAssertEqual(try DecisionRule.make(threshold: "0.5", positiveClass: "ok", classes: ["ok", "reject"], model: "m"),
                       .threshold(positive: 0, at: 0.5))
    }

    func testMakeRefusesOtherClassCountsUnknownClassesAndNonProbabilities() {
        func message(_ threshold: String, _ positive: String?, _ classes: [String]) -> String {
            do {
                _ = try DecisionRule.make(threshold: threshold, positiveClass: positive, classes: classes,
                                          model: "models/m.safetensors")
                return "no error"
            } catch { return "\(error)" }
        }
        let three = message("0.5", nil, ["a", "b", "c"])
        XCTAssertTrue(three.hasPrefix("models/m.safetensors: has 3 classes (a, b, c)") && three.contains("two-class"),
                      three)
        let unknown = message("0.5", "bad", ["ok", "reject"])
        XCTAssertTrue(unknown.contains("no class 'bad'") && unknown.contains("ok, reject"), unknown)
        for bad in ["1.5", "-0.1", "nan", "inf", "0.5x", ""] {
            XCTAssertNotNil(DecisionRule.problem(threshold: bad), bad)
            XCTAssertTrue(message(bad, nil, ["ok", "reject"]).contains("--threshold must be a probability"), bad)
        }
        for good in ["0", "1", "0.5", "1e-3"] { XCTAssertNil(DecisionRule.problem(threshold: good), good) }
    }

    // MARK: OperatingPoint

    /// Files with the given probabilities of the second class (`b`, positive), `truth` 1 for positives.
    func evaluation(_ scores: [Float], truth: [Int]) -> TestEvaluation {
        let predictions = scores.map {
            Predictor.ClipPrediction(probabilities: [1 - $0, $0], windows: 1, windowPredictions: [$0 >= 0.5 ? 1 : 0])
        }
        return TestEvaluation(classes: ["a", "b"], predictions: predictions, rows: Array(scores.indices),
                              labels: truth.map(Int32.init))
    }

    /// Validation: negatives 0.125, 0.25, 0.375, 0.5; positives 0.3125, 0.75, 0.875, 1 (exact in Float).
    lazy var validation = evaluation([0.125, 0.25, 0.375, 0.5, 0.3125, 0.75, 0.875, 1],
                                     truth: [0, 0, 0, 0, 1, 1, 1, 1])

    func testThresholdIsHalfWayToTheFirstFileTheBudgetForbids() throws {
        // within FPR 0.1 of 4 negatives no negative may be flagged: the last point is 0.75, the next 0.5
        let test = evaluation([0.625, 0.6, 0.7, 0.625, 0.2], truth: [1, 1, 0, 0, 0])
        let op = try XCTUnwrap(OperatingPoint(validation: validation, test: test, maxFPR: 0.1))
        XCTAssertEqual(op.threshold, 0.625)
        XCTAssertEqual(op.positive, 1)
        XCTAssertEqual(op.validation, .init(falsePositives: 0, negatives: 4, truePositives: 3, positives: 4))
        // test: 0.625 (positive) is flagged (>=), 0.6 is not; negatives 0.7 and 0.625 are flagged, 0.2 not
        XCTAssertEqual(op.test, .init(falsePositives: 2, negatives: 3, truePositives: 1, positives: 2))
        XCTAssertEqual(op.test?.falsePositiveRate, 2.0 / 3.0)

        // a budget of one false alarm in four: the last point is 0.5 (a negative), the next 0.375
        let loose = try XCTUnwrap(OperatingPoint(validation: validation, test: test, maxFPR: 0.25))
        XCTAssertEqual(loose.threshold, 0.4375)
        XCTAssertEqual(loose.validation, .init(falsePositives: 1, negatives: 4, truePositives: 3, positives: 4))
    }

    func testEveryFileWithinTheBudgetFlagsFromTheLowestScore() throws {
        let op = try XCTUnwrap(OperatingPoint(validation: validation, test: validation, maxFPR: 1))
        XCTAssertEqual(op.threshold, 0.125)
        XCTAssertEqual(op.validation, .init(falsePositives: 4, negatives: 4, truePositives: 4, positives: 4))
    }

    func testNoThresholdWhenTheBestScoredValidationFileIsNegative() throws {
        let v = evaluation([0.9, 0.2, 0.8], truth: [0, 0, 1])
        let op = try XCTUnwrap(OperatingPoint(validation: v, test: validation, maxFPR: 0.1))
        XCTAssertEqual(op.threshold, .infinity)
        XCTAssertEqual(op.test, .init(falsePositives: 0, negatives: 4, truePositives: 0, positives: 4))
        XCTAssertNil(OperatingPoint(validation: evaluation([0.1, 0.9], truth: [1, 1]), test: validation),
                     "validation files of one class have no ROC")
    }

    func testAdjacentScoresKeepTheirSides() throws {
        // no Float lies strictly between two adjacent Floats, and their Double midpoint rounds (to even)
        // onto the negative's 0.75: the threshold must be the positive's own score
        let v = evaluation([Float(0.75).nextUp, 0.75], truth: [1, 0])
        let op = try XCTUnwrap(OperatingPoint(validation: v, test: v))
        XCTAssertEqual(op.threshold, Float(0.75).nextUp)
        XCTAssertEqual(op.validation, .init(falsePositives: 0, negatives: 1, truePositives: 1, positives: 1))
    }

    func testPoolingTheFoldsKeepsEveryFileOnceAndRecountsTheReport() throws {
        let a = evaluation([0.875, 0.25], truth: [1, 1]), b = evaluation([0.625, 0.125, 0.5625], truth: [0, 0, 1])
        let pooled = try XCTUnwrap(TestEvaluation(pooling: [a, b]))
        XCTAssertEqual(pooled.rows, [0, 1, 0, 1, 2])
        XCTAssertEqual(pooled.truth, [1, 1, 0, 0, 1])
        XCTAssertEqual(pooled.probabilities.map { $0[1] }, [0.875, 0.25, 0.625, 0.125, 0.5625])
        XCTAssertEqual(pooled.report.correct, 3)      // 0.875, 0.125 and 0.5625 right; 0.25 and 0.625 wrong
        XCTAssertEqual(pooled.windows, 5)
        XCTAssertEqual(pooled.windowAccuracy, 0.6, accuracy: 1e-12)
        XCTAssertNil(TestEvaluation(pooling: []))
        let other = TestEvaluation(classes: ["x", "y"], predictions: [], rows: [], labels: [])
        XCTAssertNil(TestEvaluation(pooling: [a, other]), "other classes")
        // chosen on the pooled files, with no test files of its own
        let op = try XCTUnwrap(OperatingPoint(validation: pooled, test: nil))
        XCTAssertNil(op.test)
        XCTAssertEqual(op.threshold, 0.75, "half-way between 0.875 and the negative 0.625")
        XCTAssertTrue(op.json(classes: ["a", "b"])["test"] is NSNull)
    }

    /// A split by group, for `countNegativeGroups`.
    struct GroupedSplit: PreparedSplit {
        var trainRows: [Int] = [], validationRows: [Int] = [], testRows: [Int] = []
        var plan: SplitPlan = .holdOut
        var groupColumn: String? = "group"
        var groupValues: [String]?
    }

    func testNegativeGroupsCountTheGroupsOfTheNegativeFilesChosenOn() throws {
        // validation rows 0-3 negative (groups p1, p1, p2, ""), 4-7 positive (groups p4 ... p7)
        var op = try XCTUnwrap(OperatingPoint(validation: validation, test: nil))
        op.countNegativeGroups(of: validation, in: GroupedSplit(groupValues: ["p1", "p1", "p2", "", "p4", "p5", "p6", "p7"]))
        XCTAssertEqual(op.negativeGroups, 3, "p1, p2 and the row without a group")
        XCTAssertEqual(op.groupColumn, "group")
        let sentence = ReportText.operatingPointSentence(op, classes: ["a", "b"])
        XCTAssertTrue(sentence.contains("The 4 `a` validation files come from 3 groups of column `group`"), sentence)
        var byFile = try XCTUnwrap(OperatingPoint(validation: validation, test: nil))
        byFile.countNegativeGroups(of: validation, in: GroupedSplit(groupColumn: nil, groupValues: nil))
        XCTAssertNil(byFile.negativeGroups)
        XCTAssertFalse(ReportText.operatingPointSentence(byFile, classes: ["a", "b"]).contains("groups"))
    }

    func testReportAndJSONGiveTheOptionThatAppliesTheThreshold() throws {
        let op = try XCTUnwrap(OperatingPoint(validation: validation, test: validation, maxFPR: 0.1))
        let json = op.json(classes: ["a", "b"])
        XCTAssertEqual(json["threshold"] as? Double, 0.625)
        XCTAssertEqual(json["positive_class"] as? String, "b")
        XCTAssertEqual((json["validation"] as? [String: Any])?["false_positives"] as? Int, 0)
        let none = try XCTUnwrap(OperatingPoint(validation: evaluation([0.9, 0.2, 0.8], truth: [0, 0, 1]),
                                                test: validation))
        XCTAssertTrue(none.json(classes: ["a", "b"])["threshold"] is NSNull)
        let flipped = try XCTUnwrap(OperatingPoint(validation: validation, test: validation, maxFPR: 0.1, positive: 0))
        XCTAssertEqual(flipped.positive, 0)
    }
}
