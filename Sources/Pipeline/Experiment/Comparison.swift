import Foundation

/// `train compare`: several configs trained on the same data and seed, one table. With
/// `--folds K` every config is cross-validated on the same folds: the test accuracy column is the
/// folds' mean and a column with its sample standard deviation is added; the other columns are the
/// final model's (retrained on every file).
public struct Comparison {
    /// One row of the table.
    public struct Row {
        public var name: String
        public var parameters: Int
        public var secondsPerEpoch: Double
        public var trainingWindowsPerSecond: Double
        public var bestValidationAccuracy: Double
        public var testFileAccuracy: Double
        public var predictMillisecondsPerClip: Double
        public var testRows: [Int]
        /// Test file accuracy of each fold (cross-validation only).
        public var foldAccuracies: [Double]? = nil
        /// Two classes: ROC AUC and the standardised partial AUC (FPR <= 0.1) of the positive class's
        /// probability over the test files, or with folds over the folds' test files pooled out of
        /// fold (`CrossValidation.Outcome.outOfFold`); NaN otherwise.
        public var rocAUC: Double = .nan
        public var partialAUC: Double = .nan
        /// Sample standard deviation of `foldAccuracies` (NaN without folds).
        public var testFileAccuracyDeviation: Double {
            foldAccuracies.map { CrossValidation.meanAndDeviation($0.filter(\.isFinite)).standardDeviation } ?? .nan
        }
    }

    public var rows: [Row] = []
    public init() {}

    /// Whether the rows are cross-validated (`--folds`).
    public var crossValidated: Bool { rows.contains { $0.foldAccuracies != nil } }

    /// Adds the result of one finished network run; times prediction on the held-out clips.
    public mutating func add(_ summary: TrainingRun.Summary, config: ExperimentConfig, prepared: PreparedData,
                             crossValidation: CrossValidation.Outcome? = nil) throws {
        try add(summary, config: config, clips: prepared.clips, testRows: prepared.testRows,
                crossValidation: crossValidation)
    }

    /// Adds the result of one finished run of any model kind (`clips`: cleaned samples of every table
    /// row); times prediction on the held-out clips. With `crossValidation`, the test accuracy is the
    /// folds' mean and prediction is timed on the first fold's test clips (the final model has no
    /// test files).
    public mutating func add(_ summary: TrainingRun.Summary, config: ExperimentConfig, clips all: [[Float]],
                             testRows: [Int], crossValidation: CrossValidation.Outcome? = nil) throws {
        var ms = Double.nan
        let timed = crossValidation?.results.first?.testRows ?? testRows
        let predictor = try ModelFile.classifier(contentsOf: summary.modelURL)
        if predictor.classes.count == 2 { twoClasses = true }
        if !timed.isEmpty {
            let clips = timed.map { all[$0] }
            let start = Date()
            _ = predictor.predict(cleaned: clips)
            ms = Date().timeIntervalSince(start) * 1000 / Double(clips.count)
        }
        rows.append(Row(name: config.name, parameters: summary.parameters, secondsPerEpoch: summary.secondsPerEpoch,
                        trainingWindowsPerSecond: summary.trainingWindowsPerSecond,
                        bestValidationAccuracy: summary.bestValidationAccuracy,
                        testFileAccuracy: summary.test?.report.accuracy ?? .nan,
                        predictMillisecondsPerClip: ms, testRows: testRows))
        if let cv = crossValidation {
            rows[rows.count - 1].testFileAccuracy = cv.accuracy.mean
            rows[rows.count - 1].foldAccuracies = cv.results.map(\.testFileAccuracy)
            rows[rows.count - 1].testRows = cv.results.flatMap(\.testRows)
        }
        if let roc = (crossValidation.map(\.outOfFold) ?? summary.test)?.roc() {
            rows[rows.count - 1].rocAUC = roc.auc
            rows[rows.count - 1].partialAUC = roc.partialAUC(maxFPR: 0.1)
        }
    }

    /// Whether the configs classify two classes (set by `add`).
    public var twoClasses = false

    /// Whether the table has its AUC columns: two classes, even when no config has a ROC (then they
    /// are NaN, n/a in compare.md: the columns of compare.csv do not depend on the results).
    public var showsROC: Bool { twoClasses || rows.contains { $0.rocAUC.isFinite } }

    /// Whether every config was scored on the same test files.
    public var sameSplit: Bool { Set(rows.map(\.testRows)).count <= 1 }

    /// The table as Markdown.
    public func markdown() -> String {
        func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f%%", v * 100) : "n/a" }
        let cv = crossValidated, roc = showsROC
        let header = ["config", "parameters", "s/epoch", "train windows/s", "best val acc"]
            + (cv ? ["test file acc mean", "test file acc sd"] : ["test file acc"])
            + (roc ? ["test ROC AUC", "test pAUC (FPR <= 0.1)"] : []) + ["predict ms/clip"]
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: header.count - 1)]
        for r in rows {
            let auc = roc ? [Self.auc(r.rocAUC), Self.auc(r.partialAUC)] : []
            let cells = [r.name, String(r.parameters), String(format: "%.2f", r.secondsPerEpoch),
                         String(format: "%.0f", r.trainingWindowsPerSecond), pct(r.bestValidationAccuracy),
                         pct(r.testFileAccuracy)] + (cv ? [pct(r.testFileAccuracyDeviation)] : [])
                + auc + [String(format: "%.2f", r.predictMillisecondsPerClip)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if let k = rows.compactMap(\.foldAccuracies).first?.count {
            lines.append("\nTest file accuracy: mean and sample sd over the same \(k) folds for every config"
                         + (roc ? "; ROC AUC and partial AUC over the folds' test files pooled (each scored by the fold "
                            + "model that did not train on it)" : "")
                         + "; the other columns are the final models', retrained on every file.")
        }
        if !sameSplit {
            lines.append("\nNote: the configs did not keep the same test files "
                         + "(different cleaning or window settings).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An AUC with 4 decimals, `n/a` when undefined.
    static func auc(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : "n/a" }

    /// Writes runs/compare/compare.md, compare.csv, compare.svg (test accuracy and speed bars) and
    /// compare.html (both on one page, `ComparePage.swift`);
    /// cross-validated, compare.csv gains `test_file_accuracy_sd` and compare_folds.csv has one row
    /// per config and fold.
    public func write(to folder: URL) throws {
        try writeAtomically("# train compare\n\n" + markdown(), to: folder.appendingPathComponent("compare.md"))
        let cv = crossValidated, roc = showsROC
        var csv = ["config,parameters,seconds_per_epoch,train_windows_per_second,best_val_accuracy,"
                   + "test_file_accuracy,predict_ms_per_clip" + (cv ? ",test_file_accuracy_sd" : "")
                   + (roc ? ",test_roc_auc,test_partial_auc" : "")]
        for r in rows {
            csv.append("\(r.name),\(r.parameters),\(r.secondsPerEpoch),\(r.trainingWindowsPerSecond),"
                       + "\(r.bestValidationAccuracy),\(r.testFileAccuracy),\(r.predictMillisecondsPerClip)"
                       + (cv ? ",\(r.testFileAccuracyDeviation)" : "") + (roc ? ",\(r.rocAUC),\(r.partialAUC)" : ""))
        }
        if cv {
            var folds = ["config,fold,test_file_accuracy"]
            for r in rows {
                for (k, a) in (r.foldAccuracies ?? []).enumerated() { folds.append("\(r.name),\(k + 1),\(a)") }
            }
            try writeAtomically(folds.joined(separator: "\n") + "\n",
                                to: folder.appendingPathComponent("compare_folds.csv"))
        } else {
            // an earlier comparison's folds do not describe this table
            try? FileManager.default.removeItem(at: folder.appendingPathComponent("compare_folds.csv"))
        }
        try writeAtomically(csv.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("compare.csv"))
        let (accuracy, speed) = charts()
        let height = 44.0 + 28.0 * Double(rows.count) + 20
        try writeAtomically(RunReport.stack([accuracy, speed], height: height),
                            to: folder.appendingPathComponent("compare.svg"))
        try writeAtomically(html(folder: folder), to: folder.appendingPathComponent("compare.html"))
    }
}
