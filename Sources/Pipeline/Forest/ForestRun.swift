import Classical
import Foundation
import Tensor

/// One random-forest run (`train --mode forest`): fits Classical's forest to the TRAINING files'
/// descriptor rows (the validation files are held out and reported, as for networks), saves
/// models/<name>.safetensors, scores the held-out test files and writes runs/<name>/report.md,
/// report.html, confusion.svg and importance.svg. A cross-validation fold is the same run on the fold's split
/// with its own name and report folder (`ForestCrossValidation.swift`).
public struct ForestRun {
    public let config: ExperimentConfig
    public let data: DataFolder
    public let prepared: PreparedDescriptors
    /// Where report.md, confusion.svg and importance.svg go (runs/<name>/ unless set).
    public var reportFolder: URL
    /// Cross-validation results to add to report.md (the final forest of `train --folds`).
    public var crossValidation: CrossValidation.Outcome?

    public init(config: ExperimentConfig, data: DataFolder, prepared: PreparedDescriptors) {
        self.config = config; self.data = data; self.prepared = prepared
        reportFolder = data.run(config.name)
    }

    /// Fits, saves, evaluates and reports. The summary's `parameters` is the node count,
    /// `secondsPerEpoch` the fit time and `trainingWindowsPerSecond` training rows per second of fit.
    /// - Throws: `DataError` when the forest cannot be fitted (e.g. `max_features` above the columns).
    public func run() throws -> TrainingRun.Summary {
        try data.requireWritable([data.models, reportFolder])   // before the model is replaced
        let (x, y) = prepared.set(prepared.trainRows)
        let start = Date()
        let forest: RandomForestClassifier
        do {
            let parameters = config.model.forest.parameters(seed: config.training.seed)
            forest = try RandomForestClassifier.fit(x, labels: y, classCount: prepared.classes.count,
                                                    parameters: parameters,
                                                    classNames: prepared.classes,
                                                    featureNames: prepared.descriptors.columns)
        } catch {
            throw DataError(file: config.source, problem: "the random forest cannot be fitted: \(error)",
                            hint: "check model.max_features against the \(x.shape[1]) descriptor columns")
        }
        let seconds = Date().timeIntervalSince(start)
        var model = ForestModel(config: config, classes: prepared.classes, splits: prepared.splitNames, forest: forest)
        model.splitFingerprints = prepared.splitFingerprints
        let modelURL = data.model(config.name)
        try model.save(to: modelURL)
        let report = RunReport(folder: reportFolder)
        var validationAccuracy = Double.nan
        if !prepared.validationRows.isEmpty {
            let (vx, vy) = prepared.set(prepared.validationRows)
            let hits = zip(forest.predict(vx), vy).filter { $0 == $1 }.count
            validationAccuracy = Double(hits) / Double(vy.count)
        }
        var summary = TrainingRun.Summary(outcome: .finished, history: [], parameters: model.nodeCount,
                                          bestValidationAccuracy: validationAccuracy, test: nil,
                                          trainingWindowsPerSecond: seconds > 0 ? Double(y.count) / seconds : .nan,
                                          secondsPerEpoch: seconds, modelURL: modelURL, reportFolder: report.folder)
        summary.crossValidation = crossValidation
        if !prepared.testRows.isEmpty {
            let predictor = ForestPredictor(model: model)
            let evaluation = TestEvaluation(predictor: predictor, clips: prepared.clips,
                                            rows: prepared.testRows, labels: prepared.rowLabels)
            try report.writeConfusion(evaluation.report, title: "\(config.name): test files")
            summary.test = evaluation
            if prepared.classes.count == 2, !prepared.validationRows.isEmpty {
                let validation = TestEvaluation(predictor: predictor, clips: prepared.clips,
                                                rows: prepared.validationRows, labels: prepared.rowLabels)
                summary.operatingPoint = OperatingPoint(validation: validation, test: evaluation)
                summary.operatingPoint?.countNegativeGroups(of: validation, in: prepared)
            }
        }
        let importance = try writeImportances(forest, to: report)
        try report.writeMarkdown(ForestReportText.markdown(config: config, data: data, prepared: prepared,
                                                           summary: summary, forest: forest,
                                                           crossValidation: crossValidation))
        var page = RunPage(title: "\(config.name): training report (random forest)", name: config.name,
                           summary: ForestReportText.summaryLines(config: config, data: data, prepared: prepared,
                                                                  summary: summary),
                           configYAML: config.yaml(), data: data, folder: reportFolder)
        page.test = summary.test
        page.operatingPoint = summary.operatingPoint
        page.fnames = prepared.table.rows.map(\.fname)
        page.crossValidation = crossValidation
        page.figures = [("Feature importance", importance)]
        page.warnings = prepared.warnings
        try report.writeHTML(page.html())
        return summary
    }

    /// importance.svg: the mean impurity decrease of the 20 most important columns, largest first;
    /// returns the chart.
    @discardableResult
    func writeImportances(_ forest: RandomForestClassifier, to report: RunReport) throws -> String {
        let ranked = ForestReportText.ranked(forest).prefix(20)
        let chart = Charts.bars(title: "\(config.name): feature importance (mean impurity decrease)",
                                labels: ranked.map(\.name), values: ranked.map { $0.value * 100 }, unit: "%")
        try writeAtomically(chart, to: report.folder.appendingPathComponent("importance.svg"))
        return chart
    }
}
