import Foundation

/// Confusion matrix and per-class precision, recall and F1 (sklearn's `classification_report`).
public struct ClassificationReport: Equatable, Sendable {
    public let classes: [String]
    /// counts[truth][predicted]
    public let confusion: [[Int]]

    /// - Precondition: every label is in 0..<classes.count and the arrays have equal length.
    public init(classes: [String], truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count,
                     "ClassificationReport: \(truth.count) truths, \(predicted.count) predictions")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(truth, predicted) { m[t][p] += 1 }
        self.classes = classes
        confusion = m
    }

    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { classes.indices.reduce(0) { $0 + confusion[$1][$1] } }
    /// Fraction correct (NaN when empty).
    public var accuracy: Double { total == 0 ? .nan : Double(correct) / Double(total) }

    /// Files truly of class c.
    public func support(_ c: Int) -> Int { confusion[c].reduce(0, +) }
    /// TP / (TP + FP); 0 when nothing was predicted as c (sklearn's zero_division=0).
    public func precision(_ c: Int) -> Double {
        let predicted = classes.indices.reduce(0) { $0 + confusion[$1][c] }
        return predicted == 0 ? 0 : Double(confusion[c][c]) / Double(predicted)
    }
    /// TP / (TP + FN); 0 for a class without examples.
    public func recall(_ c: Int) -> Double {
        let s = support(c)
        return s == 0 ? 0 : Double(confusion[c][c]) / Double(s)
    }
    /// Harmonic mean of precision and recall (0 when both are 0).
    public func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    /// Unweighted mean of the per-class F1 scores.
    public var macroF1: Double {
        classes.isEmpty ? .nan : classes.indices.reduce(0) { $0 + f1($1) } / Double(classes.count)
    }

    /// A plain-text table: the confusion matrix, then precision, recall, F1 and support per class.
    public func table() -> String {
        let width = max(10, (classes.map(\.count).max() ?? 0) + 2)
        func cell(_ s: String) -> String {
            s.count >= width ? s + " " : String(repeating: " ", count: width - s.count) + s
        }
        var lines = ["confusion (rows: true class, columns: predicted)",
                     cell("") + classes.map(cell).joined()]
        for (i, row) in confusion.enumerated() {
            lines.append(cell(classes[i]) + row.map { cell(String($0)) }.joined())
        }
        lines.append("")
        lines.append(cell("") + ["precision", "recall", "f1", "support"].map(cell).joined())
        for c in classes.indices {
            lines.append(cell(classes[c]) + [String(format: "%.3f", precision(c)), String(format: "%.3f", recall(c)),
                                             String(format: "%.3f", f1(c)), String(support(c))].map(cell).joined())
        }
        lines.append(cell("accuracy") + cell("") + cell("") + cell(String(format: "%.3f", accuracy))
                     + cell(String(total)))
        return lines.joined(separator: "\n")
    }
}
