import Classical
import Foundation

/// The Markdown report of a random-forest run (runs/<name>/report.md).
public enum ForestReportText {
    /// The columns by importance, largest first.
    static func ranked(_ forest: RandomForestClassifier) -> [(name: String, value: Double)] {
        zip(forest.featureNames, forest.featureImportances).map { (name: $0, value: $1) }
            .sorted { $0.value > $1.value }
    }

    /// The forest at a glance (report.md's bullet list, report.html's summary), Markdown inline text.
    static func summaryLines(config: ExperimentConfig, data: DataFolder, prepared: PreparedDescriptors,
                             summary: TrainingRun.Summary) -> [String] {
        let pct = ReportText.pct
        let f = config.model.forest
        return [
            "data: \(Markdown.code(data.root.path)) (\(prepared.usableFiles) of \(prepared.listedFiles) listed files "
                + "usable, classes: \(Markdown.text(prepared.classes.joined(separator: ", "))))",
            "files: \(prepared.trainRows.count) train, \(prepared.validationRows.count) validation, "
                + "\(prepared.testRows.count) test (\(ReportText.splitText(config: config, prepared: prepared))); "
                + "the forest is fitted to the training files only",
            "features: \(prepared.descriptors.columns.count) descriptor columns per clip",
            "forest: \(f.nEstimators) trees, \(summary.parameters) nodes, max_features \(f.maxFeatures), "
                + "class_weight \(f.classWeight.rawValue); "
                + "fit in \(String(format: "%.3f", summary.secondsPerEpoch)) s",
            "validation accuracy (files): \(pct(summary.bestValidationAccuracy)); "
                + "model: \(Markdown.code(data.display(summary.modelURL)))"]
    }

    /// The report; `crossValidation` adds the folds' results (the final forest of `train --folds`).
    public static func markdown(config: ExperimentConfig, data: DataFolder, prepared: PreparedDescriptors,
                                summary: TrainingRun.Summary, forest: RandomForestClassifier,
                                crossValidation: CrossValidation.Outcome? = nil) -> String {
        let pct = ReportText.pct
        var md = ["# \(config.name): training report (random forest)", ""]
            + summaryLines(config: config, data: data, prepared: prepared, summary: summary).map { "- " + $0 } + [""]
        if let t = summary.test {
            md += ["## Held-out test files", "",
                   "**File-level accuracy: \(pct(t.report.accuracy))** (\(t.report.correct)/\(t.report.total) files).",
                   "", "```", t.report.table(), "```", "", "![confusion](confusion.svg)", ""]
            if let roc = ReportText.rocSentence(t) { md += [roc, ""] }
            if let op = summary.operatingPoint {
                md += [ReportText.operatingPointSentence(op, classes: t.classes), ""]
            }
        }
        if let cv = crossValidation { md += ReportText.crossValidationLines(cv, config: config, data: data) }
        md += ["## Feature importance", "", "![importance](importance.svg)", "",
               "| column | importance |", "|---|---:|"]
        for (name, value) in ranked(forest) { md.append(String(format: "| %@ | %.4f |", name, value)) }
        if !prepared.warnings.isEmpty {
            md += ["", "## Warnings", ""]
                + prepared.warnings.map { "- \($0.description.replacingOccurrences(of: "warning: ", with: ""))" }
        }
        md += ["", "## Config", "", "```yaml", config.yaml(), "```", ""]
        return md.joined(separator: "\n")
    }
}
