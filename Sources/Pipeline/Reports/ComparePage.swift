import Foundation

/// runs/compare/compare.html: `train compare`'s table and bar charts on one self-contained page,
/// each config's name linking its own report.html.
extension Comparison {
    /// The page for the folder `folder` (runs/compare/; the configs' runs are its siblings).
    func html(folder: URL) -> String {
        let pct = ReportText.pct, cv = crossValidated, roc = showsROC
        let rows = rows.map { r -> [String] in
            let page = folder.deletingLastPathComponent().appendingPathComponent(r.name)
                .appendingPathComponent("report.html")
            let name = FileManager.default.fileExists(atPath: page.path)
                ? "<a href=\"\(HTML.escape(HTML.relativeLink(from: folder, to: page)))\">\(HTML.escape(r.name))</a>"
                : HTML.escape(r.name)
            return [name, String(r.parameters), String(format: "%.2f", r.secondsPerEpoch),
                    String(format: "%.0f", r.trainingWindowsPerSecond), pct(r.bestValidationAccuracy),
                    pct(r.testFileAccuracy)] + (cv ? [pct(r.testFileAccuracyDeviation)] : [])
                + (roc ? [Self.auc(r.rocAUC), Self.auc(r.partialAUC)] : [])
                + [String(format: "%.2f", r.predictMillisecondsPerClip)]
        }
        let header = ["config", "parameters", "s/epoch", "train windows/s", "best val acc",
                      cv ? "test file acc mean" : "test file acc"] + (cv ? ["test file acc sd"] : [])
            + (roc ? ["test ROC AUC", "test pAUC (FPR <= 0.1)"] : []) + ["predict ms/clip"]
        var table = HTML.table(header: header, rows: rows, numeric: Set(1..<header.count), cssClass: "compare")
        if let k = self.rows.compactMap(\.foldAccuracies).first?.count {
            table += "<p class=\"note\">Test file accuracy: mean and sample sd over the same \(k) folds for every "
                + "config" + (roc ? "; ROC AUC and partial AUC over the folds' test files pooled" : "")
                + "; the other columns are the final models', retrained on every file.</p>\n"
        }
        if !sameSplit {
            table += "<p class=\"note\">The configs did not keep the same test files "
                + "(different cleaning or window settings).</p>\n"
        }
        let (accuracy, speed) = charts()
        let body = HTML.section("table", "Configs", table)
            + HTML.section("charts", "Accuracy and speed",
                           "<div class=\"row pair\">\n" + HTML.figure(accuracy, label: "test file accuracy")
                            + HTML.figure(speed, label: "training windows per second") + "</div>\n")
        let subtitle = "\(self.rows.count) configs trained on the same data and seed"
            + (cv ? ", cross-validated on the same folds" : "")
        return HTML.page(title: "train compare", subtitle: HTML.escape(subtitle),
                         nav: [("table", "Configs"), ("charts", "Charts")], body: body)
    }

    /// The test accuracy and training speed bar charts (compare.svg stacks them), their values written
    /// as the table writes them (95.0%, 27764).
    func charts() -> (accuracy: String, speed: String) {
        (Charts.bars(title: "test file accuracy", labels: rows.map(\.name),
                     values: rows.map { $0.testFileAccuracy * 100 }, unit: "%", format: { String(format: "%.1f", $0) }),
         Charts.bars(title: "training windows per second", labels: rows.map(\.name),
                     values: rows.map(\.trainingWindowsPerSecond), format: { String(format: "%.0f", $0) }))
    }
}
