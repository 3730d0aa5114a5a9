import Foundation

/// runs/<name>/report.html: one self-contained page per run (inline SVG and CSS, no script) with the
/// run's summary, the test files' accuracy, confusion matrix, per-class table and (two classes) ROC,
/// every misclassified test file with its probabilities and an `<audio>` player, the folds of a
/// cross-validation, the training curves and the config. The players load the CLEANED clip
/// (clean/<fname>: mono, resampled, silence gated), which is exactly what the model was given; an
/// "original" link beside each opens the file in wavfiles/. Links are relative to the page's folder.
public struct RunPage {
    /// The page's title (`tiny: training report`).
    public var title: String
    /// The run at a glance, as Markdown inline text (`ReportText.summaryLines`).
    public var summary: [String]
    /// Used for chart titles.
    public var name: String
    public var history: [EpochRecord] = []
    public var test: TestEvaluation? = nil
    /// Two classes: the decision threshold chosen on the validation files (`OperatingPoint`).
    public var operatingPoint: OperatingPoint? = nil
    /// `fname` of every audio.csv row (`TestEvaluation.rows` index it).
    public var fnames: [String] = []
    public var crossValidation: CrossValidation.Outcome? = nil
    /// More charts, each with its heading (a forest's feature importance).
    public var figures: [(heading: String, svg: String)] = []
    public var warnings: [DataWarning] = []
    /// The config as `--print-config` prints it.
    public var configYAML: String
    public var data: DataFolder
    /// The folder the page is written to (links are relative to it).
    public var folder: URL

    public init(title: String, name: String, summary: [String], configYAML: String, data: DataFolder, folder: URL) {
        self.title = title; self.name = name; self.summary = summary; self.configYAML = configYAML
        self.data = data; self.folder = folder
    }

    /// The complete HTML document.
    public func html() -> String {
        var body = HTML.section("summary", "Summary",
                                "<ul class=\"facts\">\n" + summary.map { "<li>\(HTML.inline($0))</li>\n" }.joined()
                                    + "</ul>\n")
        var nav = [(id: "summary", text: "Summary")]
        if let t = test {
            body += HTML.section("test", "Held-out test files", testSection(t))
            body += HTML.section("misclassified", "Misclassified test files", misclassifiedSection(t))
            nav += [("test", "Test files"), ("misclassified", "Misclassified")]
        }
        if let cv = crossValidation {
            body += HTML.section("folds", "Cross-validation", foldsSection(cv))
            nav.append(("folds", "Cross-validation"))
        }
        if !history.isEmpty {
            body += HTML.section("curves", "Training curves", historySection())
            nav.append(("curves", "Training curves"))
        }
        for (i, f) in figures.enumerated() {
            body += HTML.section("figure\(i + 1)", f.heading,
                                 "<div class=\"row\">" + HTML.figure(f.svg, label: f.heading) + "</div>\n")
            nav.append(("figure\(i + 1)", f.heading))
        }
        if !warnings.isEmpty {
            let items = warnings.map {
                "<li>\(HTML.escape($0.description.replacingOccurrences(of: "warning: ", with: "")))</li>\n"
            }
            body += HTML.section("warnings", "Warnings", "<ul class=\"warnings\">\n" + items.joined() + "</ul>\n")
            nav.append(("warnings", "Warnings"))
        }
        body += HTML.section("config", "Config", "<pre>\(HTML.escape(configYAML))</pre>\n")
        nav.append(("config", "Config"))
        let subtitle = test.map { "test file accuracy <strong>\(ReportText.pct($0.report.accuracy))</strong> "
                                  + "on \($0.report.total) held-out files" }
            ?? crossValidation.map { HTML.escape($0.line) } ?? "no held-out test files"
        return HTML.page(title: title, subtitle: subtitle, nav: nav, body: body)
    }

    /// Accuracy cards, the confusion matrix beside the per-class table, the ROC for two classes.
    func testSection(_ t: TestEvaluation) -> String {
        let pct = ReportText.pct
        var cards = [(pct(t.report.accuracy), "file accuracy (\(t.report.correct) of \(t.report.total) files)"),
                     (String(format: "%.3f", t.report.macroF1), "macro F1")]
        if t.windows > 0 { cards.append((pct(t.windowAccuracy), "window accuracy (\(t.windows) windows)")) }
        let roc = t.roc()
        if let roc { cards.append((String(format: "%.4f", roc.auc), "ROC AUC")) }
        var out = "<div class=\"cards\">\n" + cards.map {
            "<div class=\"card\"><span class=\"value\">\(HTML.escape($0.0))</span>"
                + "<span class=\"what\">\(HTML.escape($0.1))</span></div>\n"
        }.joined() + "</div>\n"
        if t.skipped > 0 {
            out += "<p class=\"note\">\(t.skipped) files too short for one window were left out.</p>\n"
        }
        let confusion = RunReport.confusionChart(t.report, title: "\(name): test files")
        out += "<div class=\"row\">\n" + HTML.figure(confusion, label: "confusion matrix")
            + "<div>\n<h3>Per class</h3>\n" + perClassTable(t.report) + "</div>\n</div>\n"
        if let roc, let sentence = ReportText.rocSentence(t) {
            let chart = Charts.lines(title: "\(name): ROC, positive class \(t.classes[1])",
                                     xLabel: "false positive rate", yLabel: "true positive rate",
                                     x: roc.falsePositiveRates,
                                     series: [("ROC, AUC " + String(format: "%.3f", roc.auc), roc.truePositiveRates),
                                              ("chance", roc.falsePositiveRates)])
            let chosen = operatingPoint.map { "<p>\(HTML.inline(ReportText.operatingPointSentence($0, classes: t.classes)))</p>\n" }
            out += "<h3>ROC</h3>\n<div class=\"row\">\n" + HTML.figure(chart, label: "ROC curve")
                + "<div>\n<p>\(HTML.inline(sentence))</p>\n" + (chosen ?? "") + "</div>\n</div>\n"
        }
        return out
    }

    /// Precision, recall, F1 and support per class (report.md's table), then accuracy and macro F1.
    func perClassTable(_ r: ClassificationReport) -> String {
        let f = { (v: Double) in String(format: "%.3f", v) }
        var rows = r.classes.indices.map { c in
            [HTML.escape(r.classes[c]), f(r.precision(c)), f(r.recall(c)), f(r.f1(c)), String(r.support(c))]
        }
        rows.append(["<strong>accuracy</strong>", "", "", f(r.accuracy), String(r.total)])
        rows.append(["<strong>macro F1</strong>", "", "", f(r.macroF1), String(r.total)])
        return HTML.table(header: ["class", "precision", "recall", "F1", "support"], rows: rows,
                          numeric: [1, 2, 3, 4], cssClass: "per-class")
    }

    /// One row per misclassified test file, the most confidently wrong first.
    func misclassifiedSection(_ t: TestEvaluation) -> String {
        let wrong = t.rows.indices.filter { t.predicted[$0] != t.truth[$0] }
            .sorted { t.probabilities[$0][t.predicted[$0]] > t.probabilities[$1][t.predicted[$1]] }
        guard !wrong.isEmpty else {
            return "<p>Every one of the \(t.rows.count) test files was classified correctly.</p>\n"
        }
        let rows = wrong.map { i -> [String] in
            let fname = fnames[t.rows[i]]
            let clean = HTML.relativeLink(from: folder, to: CleanStep.cleanURL(fname, in: data))
            let original = HTML.relativeLink(from: folder, to: data.wavfiles.appendingPathComponent(fname))
            let probs = t.probabilities[i].indices.sorted { t.probabilities[i][$0] > t.probabilities[i][$1] }
                .map { c -> String in
                    let kind = c == t.predicted[i] ? " predicted" : c == t.truth[i] ? " truth" : ""
                    return "<span class=\"prob\(kind)\">\(HTML.escape(t.classes[c])) "
                        + String(format: "%.3f", t.probabilities[i][c]) + "</span>"
                }
            return ["<code>\(HTML.escape(fname))</code>",
                    "<span class=\"right\">\(HTML.escape(t.classes[t.truth[i]]))</span>",
                    "<span class=\"wrong\">\(HTML.escape(t.classes[t.predicted[i]]))</span>",
                    "<div class=\"probs\">" + probs.joined() + "</div>",
                    "<audio controls preload=\"none\" src=\"\(HTML.escape(clean))\"></audio>"
                        + "<a class=\"original\" href=\"\(HTML.escape(original))\">original</a>"]
        }
        return "<p>\(wrong.count) of \(t.rows.count) test files were given the wrong class, the most confident "
            + "mistakes first. Each player plays the cleaned clip the model was given (<code>clean/</code>: mono, "
            + "resampled, silence gated); <em>original</em> opens the file in <code>wavfiles/</code>.</p>\n"
            + HTML.table(header: ["file", "true class", "predicted", "probabilities", "listen"], rows: rows,
                         cssClass: "misclassified")
    }

    /// The folds' mean and one row per fold (report.md's table), each linking its fold's page.
    func foldsSection(_ cv: CrossValidation.Outcome) -> String {
        let pct = ReportText.pct
        let rows = cv.results.map { r -> [String] in
            let page = "fold\(r.fold)/report.html"
            let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent(page).path)
            return [exists ? "<a href=\"\(page)\">fold \(r.fold)</a>" : "fold \(r.fold)", String(r.trainRows.count),
                    String(r.validationRows.count), String(r.testRows.count), String(r.testGroups),
                    pct(r.summary.bestValidationAccuracy), pct(r.testFileAccuracy)]
        }
        return "<p><strong>\(HTML.escape(cv.line.prefix(1).uppercased() + cv.line.dropFirst()))</strong></p>\n"
            + "<p class=\"note\">Each fold's model was trained from scratch on the other folds and tested on its "
            + "fold; this model was then retrained on every usable file, so it has no test files of its own and the "
            + "mean is the estimate of its accuracy.</p>\n"
            + HTML.table(header: ["fold", "train files", "validation files", "test files", "test groups",
                                  "best val acc", "test file acc"],
                         rows: rows, numeric: [1, 2, 3, 4, 5, 6], cssClass: "folds")
            + (ReportText.outOfFoldAUCSentence(cv).map { "<p>\(HTML.inline($0))</p>\n" } ?? "")
            + (cv.operatingPoint.map {
                "<p>\(HTML.inline(ReportText.operatingPointSentence($0, classes: cv.classes, outOfFold: cv.folds.count)))</p>\n"
            } ?? "")
    }

    /// The loss and accuracy charts side by side, the epochs' table folded under them.
    func historySection() -> String {
        let charts = RunReport.curveCharts(history, title: name)
        let rows = history.map { r in
            [String(r.epoch)] + [r.loss, r.accuracy, r.validationLoss, r.validationAccuracy]
                .map { String(format: "%.4f", $0) } + [String(format: "%.2f", r.seconds)]
        }
        return "<div class=\"row pair\">\n" + HTML.figure(charts[0], label: "loss per epoch")
            + HTML.figure(charts[1], label: "accuracy per epoch") + "</div>\n<details>\n<summary>Every epoch"
            + "</summary>\n" + HTML.table(header: ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"],
                                          rows: rows, numeric: [0, 1, 2, 3, 4, 5], cssClass: "history")
            + "</details>\n"
    }
}
