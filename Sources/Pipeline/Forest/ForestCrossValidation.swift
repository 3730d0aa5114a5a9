import Foundation

/// `train --folds K` and `train compare --folds K` for a `random_forest` config: the networks'
/// cross-validation (CrossValidation explains the choices) with a forest fitted instead of a
/// network trained. Each fold's forest is fitted to the fold's training files (its validation files
/// are scored, not fitted) and tested on the fold; the final forest is fitted to every usable file
/// with validation carved out as for the networks' final model (`SplitPlan.everything`), so every
/// row of `train compare --folds` is trained on the same files. Fitting is not interrupted, so
/// there is nothing to resume.
extension Workflow {
    /// The fold fits and the final forest of one config.
    struct ForestCrossValidationRun {
        var outcome: CrossValidation.Outcome
        /// The final forest's summary.
        var last: TrainingRun.Summary
        /// The final forest's data.
        var prepared: PreparedDescriptors
    }

    /// `train --folds K` for a forest: cross-validates, then prints the final forest's summary and
    /// the folds' mean.
    static func trainForestFolds(config: ExperimentConfig, data: DataFolder,
                                 count: Int) throws -> TrainingRun.Summary {
        let folds = try drawFolds(config: config, data: data, count: count)
        let run = try crossValidateForest(config: config, data: data, folds: folds)
        printSummary(run.last, data: data)
        printCrossValidation(run.outcome)
        print("folds: \(data.display(data.run(config.name).appendingPathComponent("folds.csv")))")
        return run.last
    }

    /// Fits fold 1 ... K (test = that fold; models/<name>.fold<k>.safetensors, runs/<name>/fold<k>/),
    /// then the final forest on every usable file with the cross-validation results in its report,
    /// and writes runs/<name>/folds.csv. The descriptors are prepared under `config`'s own name, so
    /// every fold reads the one descriptor cache.
    static func crossValidateForest(config: ExperimentConfig, data: DataFolder,
                                    folds: Folds) throws -> ForestCrossValidationRun {
        try data.refuseFilesWhereFoldersGo(CrossValidation.folders(config, data: data, count: folds.count))
        // as the networks' cross-validation does: an earlier run's folds above K and its folds.csv go
        removeFoldsBeyond(folds.count, config: config, data: data)
        removeEarlierCheckpoints(folds.count, config: config, data: data)   // a network cross-validation's
        try? FileManager.default.removeItem(at: data.run(config.name).appendingPathComponent("folds.csv"))
        var results: [CrossValidation.FoldResult] = []
        var reported = Set<String>()   // a data warning is printed once, not once per fold
        for k in 1...folds.count {
            print("== \(config.name): fold \(k) of \(folds.count)")
            let prepared = try prepareDescriptors(config: config, data: data, plan: .fold(folds, k - 1),
                                                  reported: &reported)
            var run = ForestRun(config: CrossValidation.foldConfig(config, fold: k), data: data, prepared: prepared)
            run.reportFolder = CrossValidation.foldFolder(config, data: data, fold: k)
            let result = CrossValidation.FoldResult(fold: k, summary: try fit(run), prepared: prepared)
            print("fold \(k): test file accuracy \(ReportText.pct(result.testFileAccuracy)) "
                  + "(\(result.testRows.count) files, \(result.testGroups) groups)")
            results.append(result)
        }
        let outcome = CrossValidation.Outcome(folds: folds, results: results)
        print("cross-validation: \(outcome.line)")
        print("== \(config.name): final forest on all files")
        let prepared = try prepareDescriptors(config: config, data: data, plan: .everything, reported: &reported)
        var run = ForestRun(config: config, data: data, prepared: prepared)
        run.crossValidation = outcome
        let summary = try fit(run)
        try writeAtomically(outcome.csv, to: data.run(config.name).appendingPathComponent("folds.csv"))
        return ForestCrossValidationRun(outcome: outcome, last: summary, prepared: prepared)
    }
}
