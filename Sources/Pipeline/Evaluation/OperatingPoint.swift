import Foundation

/// The decision threshold of a two-class check (OK / Not OK) chosen where it may honestly be chosen,
/// on files no test result depends on, and what it then gives on the test files: a run's validation
/// files (`TrainingRun`), or a cross-validation's test files pooled out of fold, for its final model,
/// which has no test files (`CrossValidation.Outcome.operatingPoint`).
///
/// The threshold is the most sensitive one whose false-positive rate on the validation files stays
/// within `maxFPR` (the last such point of their ROC), placed half-way to the next validation score
/// (`threshold(_:maxFPR:)`): it keeps the false-alarm budget on files the model was not tested on. The
/// test files are then scored at that threshold (`DecisionRule.threshold`: positive when
/// p >= threshold), so the test rates are what `predict --threshold` will do on new files, not a
/// threshold fitted to the test files themselves. With few validation files the rates move in large
/// steps (one file of 5 negatives is 20% FPR), which the report shows by naming the counts.
public struct OperatingPoint: Sendable, Equatable {
    /// Counts of one set of files at the threshold, and their rates (NaN where a class has no file).
    public struct Rates: Sendable, Equatable {
        /// Negative files flagged positive, of `negatives`; positive files flagged, of `positives`.
        public let falsePositives: Int, negatives: Int
        public let truePositives: Int, positives: Int
        public var falsePositiveRate: Double { negatives == 0 ? .nan : Double(falsePositives) / Double(negatives) }
        public var truePositiveRate: Double { positives == 0 ? .nan : Double(truePositives) / Double(positives) }
    }

    /// The positive class (index into the model's classes).
    public let positive: Int
    /// Predict the positive class when its probability is at least this.
    public let threshold: Float
    /// The false-positive budget the threshold was chosen for.
    public let maxFPR: Double
    /// The files the threshold was chosen on (the validation files, or a cross-validation's
    /// out-of-fold test files) and their counts at it.
    public let validation: Rates
    /// The test files' counts at the threshold; nil when there are none to score (the final model
    /// of a cross-validation).
    public let test: Rates?
    /// When the files were split by group (`groupColumn`): how many groups the negative files it was
    /// chosen on come from, the independent sounds its false-alarm budget rests on
    /// (`countNegativeGroups`); nil otherwise.
    public private(set) var negativeGroups: Int? = nil
    public private(set) var groupColumn: String? = nil

    /// - Returns: nil unless the evaluations have two classes and the validation files hold both
    ///   (no ROC to choose on otherwise).
    public init?(validation v: TestEvaluation, test t: TestEvaluation?, maxFPR: Double = 0.1, positive: Int = 1) {
        guard v.classes.count == 2, t.map({ $0.classes.count == 2 }) ?? true,
              let roc = v.roc(positive: positive) else { return nil }
        threshold = Self.threshold(roc, maxFPR: maxFPR)
        self.positive = positive
        self.maxFPR = maxFPR
        let rule = DecisionRule.threshold(positive: positive, at: threshold)
        validation = Self.rates(v, rule: rule, positive: positive)
        test = t.map { Self.rates($0, rule: rule, positive: positive) }
    }

    /// Counts the groups of `prepared`'s split among the negative files of `chosenOn` (the evaluation
    /// the threshold was chosen on); nothing when the split is by file.
    public mutating func countNegativeGroups(of chosenOn: TestEvaluation, in prepared: some PreparedSplit) {
        guard let column = prepared.groupColumn else { return }
        groupColumn = column
        negativeGroups = prepared.groupCount(zip(chosenOn.rows, chosenOn.truth).filter { $0.1 != positive }.map(\.0))
    }

    /// The threshold for `roc` within `maxFPR`: half-way between the score of the last curve point
    /// within the budget and the next (the first file it must not flag), as a decision stump splits
    /// between two samples, so that neither neighbour is on the edge; the lowest score when every
    /// point is within the budget; +infinity when only the first point (nothing flagged) is. Float
    /// like the probabilities, and never at or below the next score, so the validation files fall
    /// on exactly the sides the curve point counts.
    static func threshold(_ roc: ROC, maxFPR: Double) -> Float {
        let k = roc.falsePositiveRates.lastIndex { $0 <= maxFPR }!   // point 0 (FPR 0) always is
        guard k > 0 else { return .infinity }
        let within = Float(roc.thresholds[k])                         // the scores are Float probabilities
        guard k + 1 < roc.thresholds.count else { return within }
        let next = Float(roc.thresholds[k + 1])
        let middle = Float((Double(within) + Double(next)) / 2)
        return middle > next ? middle : within
    }

    /// The counts of `evaluation`'s files under `rule`.
    static func rates(_ evaluation: TestEvaluation, rule: DecisionRule, positive: Int) -> Rates {
        var fp = 0, tp = 0, negatives = 0, positives = 0
        for (p, truth) in zip(evaluation.probabilities, evaluation.truth) {
            let flagged = rule.decide(p) == positive
            if truth == positive { positives += 1; if flagged { tp += 1 } } else { negatives += 1; if flagged { fp += 1 } }
        }
        return Rates(falsePositives: fp, negatives: negatives, truePositives: tp, positives: positives)
    }

    /// The JSON of `train --json`'s result (`test.operating_point`, or `cross_validation.operating_point`):
    /// the threshold (null when none could be chosen), the positive class, the budget and each set's
    /// rates and counts (`test` null without test files).
    public func json(classes: [String]) -> [String: Any] {
        func rates(_ r: Rates) -> [String: Any] {
            ["fpr": r.falsePositiveRate, "tpr": r.truePositiveRate, "false_positives": r.falsePositives,
             "negatives": r.negatives, "true_positives": r.truePositives, "positives": r.positives]
        }
        return ["threshold": threshold.isFinite ? Double("\(threshold)")! as Any : NSNull(),
                "positive_class": classes[positive], "max_fpr": maxFPR,
                "validation": rates(validation), "test": test.map(rates) ?? NSNull()]
    }
}
