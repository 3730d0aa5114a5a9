import Foundation

/// Receiver operating characteristic of a two-class check (OK / Not OK), as scored in DCASE Task 2:
/// ROC AUC, the standardised partial AUC for FPR <= maxFPR (sklearn `roc_auc_score(max_fpr=)`,
/// McClish correction) and the decision threshold meeting a target false-accept rate.
public struct ROC: Sendable {
    /// Curve points from (0, 0) to (1, 1), one per distinct score (sklearn `roc_curve` without dropping).
    public let falsePositiveRates: [Double]
    public let truePositiveRates: [Double]
    /// Threshold of each point: predict positive when score >= threshold (+inf for the first point).
    public let thresholds: [Double]

    /// - Returns: nil when either class is absent (the curve is undefined).
    public init?(scores: [Double], positive: [Bool]) {
        precondition(scores.count == positive.count, "ROC: \(scores.count) scores, \(positive.count) labels")
        let p = positive.filter { $0 }.count, n = positive.count - p
        guard p > 0, n > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var fpr = [0.0], tpr = [0.0], th = [Double.infinity]
        var tp = 0, fp = 0, i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {   // all tied scores move together
                if positive[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            fpr.append(Double(fp) / Double(n)); tpr.append(Double(tp) / Double(p)); th.append(s)
        }
        falsePositiveRates = fpr; truePositiveRates = tpr; thresholds = th
    }

    /// Area under the whole curve (trapezoids; ties count one half).
    public var auc: Double { area(upTo: 1) }

    /// Area under the curve for FPR in [0, maxFPR], the last segment interpolated linearly.
    public func area(upTo maxFPR: Double) -> Double {
        var total = 0.0
        for k in 1..<falsePositiveRates.count {
            let (x0, x1) = (falsePositiveRates[k - 1], falsePositiveRates[k])
            let (y0, y1) = (truePositiveRates[k - 1], truePositiveRates[k])
            if x0 >= maxFPR { break }
            if x1 <= maxFPR {
                total += (x1 - x0) * (y0 + y1) / 2
            } else {
                let y = y0 + (y1 - y0) * (maxFPR - x0) / (x1 - x0)
                total += (maxFPR - x0) * (y0 + y) / 2
            }
        }
        return total
    }

    /// sklearn's standardised partial AUC: 0.5 * (1 + (A - minA) / (maxA - minA)) with
    /// minA = maxFPR^2 / 2 and maxA = maxFPR, A the area up to maxFPR. 0.5 is chance, 1 perfect.
    public func partialAUC(maxFPR: Double = 0.1) -> Double {
        precondition(maxFPR > 0 && maxFPR <= 1, "partialAUC: maxFPR \(maxFPR) outside (0, 1]")
        if maxFPR == 1 { return auc }
        let a = area(upTo: maxFPR), minA = maxFPR * maxFPR / 2, maxA = maxFPR
        return 0.5 * (1 + (a - minA) / (maxA - minA))
    }

    /// The lowest threshold whose false-positive rate stays at or below `targetFPR`, with the
    /// rates it gives: the most sensitive setting that meets the false-accept budget.
    public func threshold(forFalsePositiveRate targetFPR: Double) -> (threshold: Double, fpr: Double, tpr: Double) {
        var best = 0
        for k in falsePositiveRates.indices where falsePositiveRates[k] <= targetFPR { best = k }
        return (thresholds[best], falsePositiveRates[best], truePositiveRates[best])
    }
}
