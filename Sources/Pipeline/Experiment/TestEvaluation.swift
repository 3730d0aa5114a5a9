import Foundation

/// File-level results of a model on a set of files (the held-out test files after training).
public struct TestEvaluation {
    public let classes: [String]
    /// Table rows evaluated (files too short for one window are left out and counted in `skipped`).
    public let rows: [Int]
    /// True class and mean probabilities of each evaluated file.
    public let truth: [Int]
    public let probabilities: [[Float]]
    /// The class each evaluated file was given (the argmax of its mean probabilities).
    public let predicted: [Int]
    /// File-level report: truth vs argmax of the mean probabilities.
    public let report: ClassificationReport
    /// Window-level accuracy over all windows of the evaluated files.
    public let windowAccuracy: Double
    public let windows: Int
    public let skipped: Int

    /// Predicts every row in `rows` from its cleaned clip and scores it against `labels`.
    public init(predictor: any ClipClassifier, clips: [[Float]], rows: [Int], labels: [Int32]) {
        self.init(classes: predictor.classes, predictions: predictor.predict(cleaned: rows.map { clips[$0] }),
                  rows: rows, labels: labels)
    }

    /// Scores `predictions` (one per row of `rows`, in order) against `labels`.
    public init(classes: [String], predictions: [Predictor.ClipPrediction], rows: [Int], labels: [Int32]) {
        var kept: [Int] = [], probs: [[Float]] = [], truth: [Int] = [], predicted: [Int] = []
        var windowHits = 0, windowTotal = 0
        for (i, r) in rows.enumerated() {
            guard let p = predictions[i].probabilities, let label = predictions[i].label else { continue }
            kept.append(r); probs.append(p); truth.append(Int(labels[r])); predicted.append(label)
            windowHits += predictions[i].windowPredictions.filter { $0 == Int(labels[r]) }.count
            windowTotal += predictions[i].windows
        }
        self.classes = classes
        self.rows = kept
        self.truth = truth
        probabilities = probs
        self.predicted = predicted
        report = ClassificationReport(classes: classes, truth: truth, predicted: predicted)
        windowAccuracy = windowTotal == 0 ? .nan : Double(windowHits) / Double(windowTotal)
        windows = windowTotal
        skipped = rows.count - kept.count
    }

    /// The evaluations of disjoint sets of files by different models as one (the folds of a
    /// cross-validation: every file scored once, out of fold, by the model that never saw it), in
    /// the order given; window accuracy over all their windows. Nil for no parts or parts whose
    /// classes differ.
    public init?(pooling parts: [TestEvaluation]) {
        guard let first = parts.first, parts.allSatisfy({ $0.classes == first.classes }) else { return nil }
        classes = first.classes
        rows = parts.flatMap(\.rows)
        truth = parts.flatMap(\.truth)
        probabilities = parts.flatMap(\.probabilities)
        predicted = parts.flatMap(\.predicted)
        report = ClassificationReport(classes: classes, truth: truth, predicted: predicted)
        windows = parts.map(\.windows).reduce(0, +)
        let hits = parts.map { $0.windows == 0 ? 0 : ($0.windowAccuracy * Double($0.windows)).rounded() }.reduce(0, +)
        windowAccuracy = windows == 0 ? .nan : hits / Double(windows)
        skipped = parts.map(\.skipped).reduce(0, +)
    }

    /// For two classes: the ROC of the probability of class `positive` (default the second, sorted).
    public func roc(positive: Int = 1) -> ROC? {
        guard classes.count == 2 else { return nil }
        return ROC(scores: probabilities.map { Double($0[positive]) }, positive: truth.map { $0 == positive })
    }
}
