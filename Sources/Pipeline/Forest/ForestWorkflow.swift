import Foundation

extension Workflow {
    /// `train` for a `random_forest` config: prepares the descriptors (with a progress line), fits,
    /// evaluates, reports and prints as for networks; with `folds`, cross-validates first
    /// (`trainForestFolds`).
    static func trainForest(config: ExperimentConfig, data: DataFolder,
                            folds: Int? = nil) throws -> TrainingRun.Summary {
        if let folds { return try trainForestFolds(config: config, data: data, count: folds) }
        let (summary, _) = try fitForest(config: config, data: data)
        return summary
    }

    /// The forest run with its prepared descriptors (for `train compare`), summary printed.
    static func fitForest(config: ExperimentConfig,
                          data: DataFolder) throws -> (TrainingRun.Summary, PreparedDescriptors) {
        let prepared = try prepareDescriptors(config: config, data: data)
        let summary = try fit(ForestRun(config: config, data: data, prepared: prepared))
        printSummary(summary, data: data)
        return (summary, prepared)
    }

    /// The descriptors of `config`'s data split as `plan` says, with a progress line and the
    /// data line (files, classes, split, descriptors) and the warnings printed.
    static func prepareDescriptors(config: ExperimentConfig, data: DataFolder,
                                   plan: SplitPlan = .holdOut) throws -> PreparedDescriptors {
        var reported = Set<String>()
        return try prepareDescriptors(config: config, data: data, plan: plan, reported: &reported)
    }

    /// `prepareDescriptors` of one of several runs on the same data (the folds): a warning in
    /// `reported` was printed by an earlier run and is not printed again.
    static func prepareDescriptors(config: ExperimentConfig, data: DataFolder, plan: SplitPlan,
                                   reported: inout Set<String>) throws -> PreparedDescriptors {
        let line = ProgressLine()
        let prepared = try PreparedDescriptors.run(config: config, data: data, plan: plan) { stage, done, total in
            line.update("\(stage) \(done)/\(total) \(ProgressLine.bar(done, of: total))", force: done == total)
        }
        let (listed, usable) = (prepared.listedFiles, prepared.usableFiles)
        line.finish("data: \(usable) of \(listed) listed files usable, \(listed - usable) skipped; "
                    + "\(prepared.classes.count) classes (\(prepared.classes.joined(separator: ", "))); "
                    + "\(prepared.trainRows.count)/\(prepared.validationRows.count)/\(prepared.testRows.count) "
                    + "train/validation/test files; " + groupText(prepared)
                    + "\(prepared.descriptors.columns.count) descriptors per clip"
                    + (prepared.cacheHit ? " (descriptor cache)" : ""))
        Diagnostics.report(prepared.warnings.filter { !reported.contains($0.description) })
        reported.formUnion(prepared.warnings.map(\.description))
        return prepared
    }

    /// Fits, evaluates and reports `run` and prints the forest's line (trees, nodes, fit time,
    /// validation accuracy).
    static func fit(_ run: ForestRun) throws -> TrainingRun.Summary {
        let summary = try run.run()
        let f = run.config.model.forest
        print(String(format: "random forest: %d trees, %d nodes, fit in %.3f s; validation accuracy %@",
                     f.nEstimators, summary.parameters, summary.secondsPerEpoch,
                     ReportText.pct(summary.bestValidationAccuracy)))
        return summary
    }
}
