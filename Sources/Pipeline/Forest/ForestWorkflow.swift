import Foundation

extension Workflow {
    /// `train` for a `random_forest` config: prepares the descriptors (with a progress line), fits,
    /// evaluates, reports and prints as for networks.
    static func trainForest(config: ExperimentConfig, data: DataFolder) throws -> TrainingRun.Summary {
        let (summary, _) = try fitForest(config: config, data: data)
        return summary
    }

    /// The forest run with its prepared descriptors (for `train compare`), summary printed.
    static func fitForest(config: ExperimentConfig,
                          data: DataFolder) throws -> (TrainingRun.Summary, PreparedDescriptors) {
        let line = ProgressLine()
        let prepared = try PreparedDescriptors.run(config: config, data: data) { stage, done, total in
            line.update("\(stage) \(done)/\(total) \(ProgressLine.bar(done, of: total))", force: done == total)
        }
        let (listed, usable) = (prepared.listedFiles, prepared.usableFiles)
        line.finish("data: \(usable) of \(listed) listed files usable, \(listed - usable) skipped; "
                    + "\(prepared.classes.count) classes (\(prepared.classes.joined(separator: ", "))); "
                    + "\(prepared.trainRows.count)/\(prepared.validationRows.count)/\(prepared.testRows.count) "
                    + "train/validation/test files; \(prepared.descriptors.columns.count) descriptors per clip"
                    + (prepared.cacheHit ? " (descriptor cache)" : ""))
        Diagnostics.report(prepared.warnings)
        let summary = try ForestRun(config: config, data: data, prepared: prepared).run()
        let f = config.model.forest
        print(String(format: "random forest: %d trees, %d nodes, fit in %.3f s; validation accuracy %@",
                     f.nEstimators, summary.parameters, summary.secondsPerEpoch,
                     ReportText.pct(summary.bestValidationAccuracy)))
        printSummary(summary, data: data)
        return (summary, prepared)
    }
}
