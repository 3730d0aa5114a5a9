import Foundation

/// The Markdown report of a training run (runs/<name>/report.md).
public enum ReportText {
    static func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f%%", v * 100) : "n/a" }

    public static func markdown(config: ExperimentConfig, data: DataFolder, prepared: PreparedData,
                                summary: TrainingRun.Summary) -> String {
        var md = ["# \(config.name): training report", "",
                  "- data: `\(data.root.path)` (\(prepared.usableFiles) of \(prepared.listedFiles) listed files usable, classes: \(prepared.classes.joined(separator: ", ")))",
                  "- files: \(prepared.trainRows.count) train, \(prepared.validationRows.count) validation, \(prepared.testRows.count) test (split by file, stratified, seed \(config.training.seed))",
                  "- windows: \(prepared.train.count) train, \(prepared.validation.count) validation; features \(config.features.kind.rawValue) \(config.inputShape)",
                  "- network: \(summary.parameters) parameters; \(summary.history.count) epochs, \(String(format: "%.2f", summary.secondsPerEpoch)) s/epoch, \(String(format: "%.0f", summary.trainingWindowsPerSecond)) training windows/s",
                  "- best validation accuracy (windows): \(pct(summary.bestValidationAccuracy)); model: `\(data.display(summary.modelURL))`",
                  ""]
        if let t = summary.test {
            md += ["## Held-out test files", "",
                   "**File-level accuracy: \(pct(t.report.accuracy))** (\(t.report.correct)/\(t.report.total) files); window-level accuracy \(pct(t.windowAccuracy)) over \(t.windows) windows" + (t.skipped > 0 ? "; \(t.skipped) files too short for one window" : "") + ".", "",
                   "```", t.report.table(), "```", "", "![confusion](confusion.svg)", ""]
            if let roc = t.roc() {
                let th = roc.threshold(forFalsePositiveRate: 0.1)
                md += ["Two classes, positive class `\(t.classes[1])`: ROC AUC \(String(format: "%.4f", roc.auc)), "
                       + "partial AUC (FPR <= 0.1, standardised) \(String(format: "%.4f", roc.partialAUC(maxFPR: 0.1))); "
                       + "threshold \(String(format: "%.4f", th.threshold)) on p(\(t.classes[1])) gives FPR \(pct(th.fpr)), TPR \(pct(th.tpr)).", ""]
            }
        }
        md += ["## Training history", "", "![curves](curves.svg)", "", "| epoch | loss | accuracy | val_loss | val_accuracy | seconds |",
               "|---|---|---|---|---|---|"]
        for r in summary.history {
            md.append(String(format: "| %d | %.4f | %.4f | %.4f | %.4f | %.2f |", r.epoch, r.loss, r.accuracy, r.validationLoss, r.validationAccuracy, r.seconds))
        }
        if !prepared.warnings.isEmpty {
            md += ["", "## Warnings", ""] + prepared.warnings.map { "- \($0.description.replacingOccurrences(of: "warning: ", with: ""))" }
        }
        md += ["", "## Config", "", "```yaml", config.yaml(), "```", ""]
        return md.joined(separator: "\n")
    }
}
