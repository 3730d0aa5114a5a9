import Foundation

/// The Markdown report of a training run (runs/<name>/report.md).
public enum ReportText {
    static func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f%%", v * 100) : "n/a" }

    /// The report; `crossValidation` adds the folds' results (the final model of `train --folds`).
    public static func markdown(config: ExperimentConfig, data: DataFolder, prepared: PreparedData,
                                summary: TrainingRun.Summary,
                                crossValidation: CrossValidation.Outcome? = nil) -> String {
        var md = ["# \(config.name): training report", ""]
            + summaryLines(config: config, data: data, prepared: prepared, summary: summary).map { "- " + $0 } + [""]
        if let t = summary.test {
            let skipped = t.skipped > 0 ? "; \(t.skipped) files too short for one window" : ""
            md += ["## Held-out test files", "",
                   "**File-level accuracy: \(pct(t.report.accuracy))** (\(t.report.correct)/\(t.report.total) files); "
                     + "window-level accuracy \(pct(t.windowAccuracy)) over \(t.windows) windows" + skipped + ".", "",
                   "```", t.report.table(), "```", "", "![confusion](confusion.svg)", ""]
            if let roc = rocSentence(t) { md += [roc, ""] }
            if let op = summary.operatingPoint { md += [operatingPointSentence(op, classes: t.classes), ""] }
        }
        if let cv = crossValidation { md += crossValidationLines(cv, config: config, data: data) }
        md += ["## Training history", "", "![curves](curves.svg)", "",
               "| epoch | loss | accuracy | val_loss | val_accuracy | seconds |",
               "|---|---|---|---|---|---|"]
        for r in summary.history {
            md.append(String(format: "| %d | %.4f | %.4f | %.4f | %.4f | %.2f |", r.epoch, r.loss, r.accuracy,
                             r.validationLoss, r.validationAccuracy, r.seconds))
        }
        if !prepared.warnings.isEmpty {
            md += ["", "## Warnings", ""]
                + prepared.warnings.map {
                    "- " + Markdown.text($0.description.replacingOccurrences(of: "warning: ", with: ""))
                }
        }
        md += ["", "## Config", "", "```yaml", config.yaml(), "```", ""]
        return md.joined(separator: "\n")
    }

    /// The run at a glance (report.md's bullet list, report.html's summary), Markdown inline text.
    static func summaryLines(config: ExperimentConfig, data: DataFolder, prepared: PreparedData,
                             summary: TrainingRun.Summary) -> [String] {
        ["data: \(Markdown.code(data.root.path)) "
            + "(\(prepared.usableFiles) of \(prepared.listedFiles) listed files usable, "
            + "classes: \(Markdown.text(prepared.classes.joined(separator: ", "))))",
         "files: \(prepared.trainRows.count) train, \(prepared.validationRows.count) validation, "
            + "\(prepared.testRows.count) test (\(splitText(config: config, prepared: prepared)))",
         inputLine(config: config, prepared: prepared),
         "network: \(summary.parameters) parameters; \(summary.history.count) epochs\(earlyStopText(config: config, summary: summary)), "
            + "\(String(format: "%.2f", summary.secondsPerEpoch)) s/epoch, "
            + "\(String(format: "%.0f", summary.trainingWindowsPerSecond)) training windows/s"
            + learningRateText(config: config, summary: summary),
         savedModelText(config: config, summary: summary) + "model: \(Markdown.code(data.display(summary.modelURL)))"]
    }

    /// `best validation accuracy (windows): 91.2%; `, or with a `model_checkpoint` other than the default
    /// `validation accuracy (windows) of the saved epoch 14 (lowest val_loss): 88.0%; ` (`(the last epoch)`
    /// without `save_best_only`).
    static func savedModelText(config: ExperimentConfig, summary: TrainingRun.Summary) -> String {
        let accuracy = pct(summary.bestValidationAccuracy)
        guard let rule = config.training.modelCheckpoint, rule != ModelCheckpoint(),
              let epoch = rule.savedEpoch(of: summary.history) else {
            return "best validation accuracy (windows): \(accuracy); "
        }
        let why: String
        if !rule.saveBestOnly {
            why = "the last epoch"
        } else {
            why = rule.monitor == MonitoredMetric.valLoss ? "lowest val_loss" : "highest val_accuracy"
        }
        return "validation accuracy (windows) of the saved epoch \(epoch) (\(why)): \(accuracy); "
    }

    /// ` (early stopping: ...)` after the epoch count when training ended before the config's epochs.
    static func earlyStopText(config: ExperimentConfig, summary: TrainingRun.Summary) -> String {
        if let e = summary.nonFiniteLoss {
            return " (stopped: the loss became \(e.loss) at epoch \(e.epoch + 1), step \(e.step + 1); the model is the one "
                + "saved before it)"
        }
        guard let stop = summary.earlyStop, let rule = config.training.earlyStopping else { return "" }
        let figure = rule.monitor == .valAccuracy ? "validation accuracy" : "validation loss"
        return " (early stopping: no improvement of the \(figure) after epoch \(stop.lastImprovement))"
    }

    /// With `reduce_lr_on_plateau`: `; learning rate 0.001, reduced after epochs 12, 20 to 1e-05` (or
    /// `, not reduced`); without it or a schedule, nothing.
    /// With `learning_rate_schedule`: `; learning rate cosine_decay from 0.001, 1.2e-05 at the last update`.
    static func learningRateText(config: ExperimentConfig, summary: TrainingRun.Summary) -> String {
        guard let rates = summary.learningRates else { return "" }
        let initial = Float(config.training.learningRate)
        if let schedule = config.training.learningRateSchedule, let last = rates.last {
            return "; learning rate \(schedule.kind.rawValue) from \(initial), \(last) at the last update"
        }
        var before = initial, reductions: [Int] = []
        for (i, rate) in rates.enumerated() {
            if rate != before { reductions.append(i + 1) }
            before = rate
        }
        guard let last = rates.last, !reductions.isEmpty else { return "; learning rate \(initial), not reduced" }
        let epochs = reductions.map(String.init).joined(separator: ", ")
        return "; learning rate \(initial), reduced after epoch\(reductions.count > 1 ? "s" : "") \(epochs) to \(last)"
    }

    /// What the network read: windows of frame features, or one descriptor row per clip (whose
    /// features are the descriptor columns, not the frame kind of `features.kind`).
    static func inputLine(config: ExperimentConfig, prepared: PreparedData) -> String {
        if config.model.input == .descriptors {
            let sets = config.features.descriptorSets.map(\.rawValue).joined(separator: ", ")
            return "rows: \(prepared.train.count) train, \(prepared.validation.count) validation (one per clip); "
                + "features: \(config.inputShape.reduce(1, *)) descriptor columns per clip (\(sets))"
        }
        return "windows: \(prepared.train.count) train, \(prepared.validation.count) validation; "
            + "features \(config.features.kind.rawValue) \(config.inputShape)"
    }

    /// For two classes: the ROC AUC, the partial AUC and the test files' own threshold for FPR <= 0.1
    /// in one sentence (the threshold to use is `operatingPointSentence`'s, chosen on validation files).
    static func rocSentence(_ t: TestEvaluation) -> String? {
        guard let roc = t.roc() else { return nil }
        let th = roc.threshold(forFalsePositiveRate: 0.1)
        let partialAUC = String(format: "%.4f", roc.partialAUC(maxFPR: 0.1))
        return "Two classes, positive class \(Markdown.code(t.classes[1])): ROC AUC \(String(format: "%.4f", roc.auc)), "
            + "partial AUC (FPR <= 0.1, standardised) \(partialAUC); "
            + "on the test files themselves the lowest threshold within FPR <= 0.1 is "
            + "\(String(format: "%.4f", th.threshold)) on p(\(Markdown.text(t.classes[1]))) (FPR \(pct(th.fpr)), TPR \(pct(th.tpr)); "
            + "fitted to the test files, so optimistic)."
    }

    /// For two classes: the threshold chosen on the validation files (or, `outOfFold`, on a
    /// cross-validation's out-of-fold test files), its rates there and on the test files when there
    /// are any, and the `predict` option that applies it (Markdown inline text).
    static func operatingPointSentence(_ op: OperatingPoint, classes: [String], outOfFold folds: Int? = nil) -> String {
        let (positive, negative) = (classes[op.positive], classes[1 - op.positive])
        let files = op.validation.negatives + op.validation.positives
        let set = folds.map { "the \(files) test files of the \($0) folds, each scored by the fold model that never "
            + "saw it," } ?? "the \(files) validation files,"
        let budget = "FPR <= \(op.maxFPR)"
        guard op.threshold.isFinite else {
            return "No decision threshold could be chosen on \(set.dropLast()): within \(budget) there "
                + "not one file may be flagged (one false alarm is 1 of \(op.validation.negatives) \(Markdown.code(negative)) files), "
                + "so `predict` keeps the more probable class; more files would allow one."
        }
        func rates(_ r: OperatingPoint.Rates) -> String {
            "FPR \(pct(r.falsePositiveRate)) (\(r.falsePositives) of \(r.negatives)), TPR \(pct(r.truePositiveRate)) "
                + "(\(r.truePositives) of \(r.positives))"
        }
        let option = op.positive == 1 ? "--threshold \(op.threshold)"
            : "--threshold \(op.threshold) --positive-class \(Markdown.shellWord(positive))"
        var text = "Decision threshold chosen on \(set) the most sensitive within \(budget) there, half-way to the "
            + "next file's score: \(Markdown.code(positive)) when p(\(Markdown.text(positive))) >= \(op.threshold), else "
            + "\(Markdown.code(negative)). "
            + (folds == nil ? "Validation " : "Out of fold ") + rates(op.validation)
        if let test = op.test { text += "; **test " + rates(test) + "**" }
        text += ". \(Markdown.code("predict " + option)) applies it"
        text += folds == nil ? "." : " to this model, which was trained on all files: its scores are not the "
            + "fold models', so check the rates on recordings it has not heard."
        if folds == nil, let groups = op.negativeGroups, let column = op.groupColumn {
            text += " The \(op.validation.negatives) \(Markdown.code(negative)) validation files come from \(groups) "
                + "group\(groups == 1 ? "" : "s") of column \(Markdown.code(column)): the false-alarm budget rests on "
                + "\(groups) independent sound\(groups == 1 ? "" : "s"), so expect another rate on new groups "
                + "(`--folds K` chooses on every group)."
        }
        return text
    }

    /// How the files were split: `split by file, stratified, seed 0` (the text without groups), or by
    /// group with the groups per part, and which fold or "all files" for cross-validation runs.
    static func splitText(config: ExperimentConfig, prepared p: some PreparedSplit) -> String {
        var text = "split by file, stratified, seed \(config.training.seed)"
        if let column = p.groupColumn {
            text = "split by group column '\(Markdown.text(column))': \(p.groupCount(p.trainRows)) train, "
                + "\(p.groupCount(p.validationRows)) validation, \(p.groupCount(p.testRows)) test groups; "
                + "stratified, seed \(config.training.seed)"
        }
        switch p.plan {
        case .holdOut: return text
        case .fold(let folds, let k): return text + "; test = fold \(k + 1) of \(folds.count)"
        case .everything: return text + "; every file trains or validates, no test files"
        }
    }

    /// For two classes: the ROC AUC and partial AUC over the folds' test files pooled (each scored by
    /// the fold model that did not train on it), in one sentence.
    static func outOfFoldAUCSentence(_ cv: CrossValidation.Outcome) -> String? {
        guard let pooled = cv.outOfFold, let roc = pooled.roc() else { return nil }
        return "Over the \(pooled.rows.count) test files of the \(cv.folds.count) folds pooled, positive class "
            + "\(Markdown.code(pooled.classes[1])): ROC AUC \(String(format: "%.4f", roc.auc)), partial AUC (FPR <= 0.1, "
            + "standardised) \(String(format: "%.4f", roc.partialAUC(maxFPR: 0.1)))."
    }

    /// The cross-validation section of the final model's report.
    static func crossValidationLines(_ cv: CrossValidation.Outcome, config: ExperimentConfig,
                                     data: DataFolder) -> [String] {
        let grouping = cv.folds.groupColumn.map { "grouped by column \(Markdown.code($0)) (every group in one fold)" }
            ?? "by file"
        var md = ["## Cross-validation", "",
                  "**\(cv.line.prefix(1).uppercased() + cv.line.dropFirst())**", "",
                  "\(cv.folds.count) folds over every row of audio.csv, stratified by class, \(grouping); "
                  + "each fold's model was trained from scratch (same config and seed) on the other folds, with "
                  + "validation carved from them by `split.validation`, and tested on its fold (`split.test` is not "
                  + "used). This model was then retrained on all usable files, so it has no test files of its own: "
                  + "the mean above is the estimate of its accuracy. Per fold: `folds.csv`, `fold<k>/report.md`.", "",
                  "| fold | train files | validation files | test files | test groups | best val acc | test file acc |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in cv.results {
            md.append("| \(r.fold) | \(r.trainRows.count) | \(r.validationRows.count) | \(r.testRows.count) | "
                      + "\(r.testGroups) | \(pct(r.summary.bestValidationAccuracy)) | \(pct(r.testFileAccuracy)) |")
        }
        if let auc = outOfFoldAUCSentence(cv) { md += ["", auc] }
        if let op = cv.operatingPoint {
            md += ["", operatingPointSentence(op, classes: cv.classes, outOfFold: cv.folds.count)]
        }
        return md + [""]
    }
}
