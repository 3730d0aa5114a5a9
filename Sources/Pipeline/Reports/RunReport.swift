import Foundation

/// The files of one training run under runs/<name>/: history.csv, curves.svg, confusion.svg, report.md,
/// report.html.
public struct RunReport {
    public let folder: URL
    public init(folder: URL) { self.folder = folder }

    /// history.csv (Keras History columns) and curves.svg (loss and accuracy per epoch).
    public func writeHistory(_ history: [EpochRecord], title: String) throws {
        try writeAtomically(([EpochRecord.csvHeader] + history.map(\.csvLine)).joined(separator: "\n") + "\n",
                            to: folder.appendingPathComponent("history.csv"))
        try writeAtomically(Self.stack(Self.curveCharts(history, title: title), height: 400),
                            to: folder.appendingPathComponent("curves.svg"))
    }

    /// The loss chart and the accuracy chart of a history (curves.svg stacks them; report.html
    /// shows them side by side).
    static func curveCharts(_ history: [EpochRecord], title: String) -> [String] {
        let x = history.map { Double($0.epoch) }
        let loss = Charts.lines(title: "\(title): loss", xLabel: "epoch", yLabel: "categorical cross-entropy", x: x,
                                series: [("loss", history.map(\.loss)), ("val_loss", history.map(\.validationLoss))],
                                includeZero: true, wholeNumberX: true)
        let acc = Charts.lines(title: "\(title): accuracy", xLabel: "epoch", yLabel: "window accuracy", x: x,
                               series: [("accuracy", history.map(\.accuracy)),
                                        ("val_accuracy", history.map(\.validationAccuracy))], wholeNumberX: true)
        return [loss, acc]
    }

    /// Places several standalone SVG documents one under the other in one document.
    static func stack(_ documents: [String], height: Double) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
            + "height=\"\(Int(height) * documents.count)\">\n"
        for (i, d) in documents.enumerated() {
            out += "<g transform=\"translate(0, \(Int(height) * i))\">\n\(d)</g>\n"
        }
        return out + "</svg>\n"
    }

    /// confusion.svg for a classification report.
    public func writeConfusion(_ report: ClassificationReport, title: String) throws {
        try writeAtomically(Self.confusionChart(report, title: title),
                            to: folder.appendingPathComponent("confusion.svg"))
    }

    /// The confusion matrix of a classification report as a chart.
    static func confusionChart(_ report: ClassificationReport, title: String) -> String {
        Charts.heatmap(title: title, rowLabels: report.classes, columnLabels: report.classes, values: report.confusion)
    }

    /// report.md: the given Markdown text.
    public func writeMarkdown(_ text: String) throws {
        try writeAtomically(text, to: folder.appendingPathComponent("report.md"))
    }

    /// report.html: a page of `RunPage` or any other complete HTML document.
    public func writeHTML(_ html: String) throws {
        try writeAtomically(html, to: folder.appendingPathComponent("report.html"))
    }
}
