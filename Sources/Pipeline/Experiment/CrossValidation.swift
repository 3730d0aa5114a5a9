import Foundation

/// `train --folds K`: K models, each trained from scratch (same config and seed) with one fold of
/// audio.csv as its test part and the other folds as training and validation, then the final model
/// retrained on every usable file. What is reported is the mean and standard deviation of the
/// folds' test file accuracy.
///
/// Why the folds cover every file rather than the files left after a test split: on a small data
/// set every file is then tested once, by a model that never saw it or its group, and no file is
/// spent on a test part that the estimate does not use; `split.test` is not used. Why the final
/// model is retrained on all files rather than the best fold kept: the best fold's score is the
/// highest of K noisy numbers (an optimistic pick), while the retrained model sees the most data
/// and the cross-validated mean is the estimate of its accuracy. It has no test files of its own.
///
/// Files: models/<name>.fold<k>.safetensors (and .checkpoint) and runs/<name>/fold<k>/ per fold
/// (k from 1), models/<name>.safetensors and runs/<name>/ for the final model, runs/<name>/folds.csv.
public enum CrossValidation {
    /// What one fold's run did.
    public struct FoldResult {
        /// 1-based.
        public var fold: Int
        public var summary: TrainingRun.Summary
        /// Table rows per part.
        public var trainRows: [Int], validationRows: [Int], testRows: [Int]
        /// Groups per part (files when split by file).
        public var trainGroups: Int, validationGroups: Int, testGroups: Int

        /// The fold model's accuracy on its test files (NaN without any).
        public var testFileAccuracy: Double { summary.test?.report.accuracy ?? .nan }

        /// `prepared`: the fold's data (a network's `PreparedData` or a forest's `PreparedDescriptors`).
        public init(fold: Int, summary: TrainingRun.Summary, prepared: some PreparedSplit) {
            self.fold = fold
            self.summary = summary
            trainRows = prepared.trainRows; validationRows = prepared.validationRows; testRows = prepared.testRows
            trainGroups = prepared.groupCount(prepared.trainRows)
            validationGroups = prepared.groupCount(prepared.validationRows)
            testGroups = prepared.groupCount(prepared.testRows)
        }
    }

    /// Every fold's result and what they add up to.
    public struct Outcome {
        public var folds: Folds
        public var results: [FoldResult]

        public init(folds: Folds, results: [FoldResult]) { self.folds = folds; self.results = results }

        /// Mean and sample standard deviation (n - 1) of the test file accuracy over the folds
        /// that have test files.
        public var accuracy: (mean: Double, standardDeviation: Double) {
            CrossValidation.meanAndDeviation(results.map(\.testFileAccuracy).filter(\.isFinite))
        }

        /// The folds' test files as one evaluation, every file scored once by the fold model that
        /// never saw it (nil when a fold has no test results).
        public var outOfFold: TestEvaluation? {
            let tests = results.compactMap(\.summary.test)
            return tests.count == results.count ? TestEvaluation(pooling: tests) : nil
        }

        /// The class names (those of the folds' test results; empty without any).
        public var classes: [String] { results.first?.summary.test?.classes ?? [] }

        /// Two classes: the decision threshold chosen on the out-of-fold test files (`OperatingPoint`
        /// with no test files of its own): many more files than one fold's validation part, each
        /// scored by a model that did not train on it.
        public var operatingPoint: OperatingPoint? { outOfFold.flatMap { OperatingPoint(validation: $0, test: nil) } }

        /// One line: `test file accuracy over 5 folds: mean 83.3% ± 4.1% (sample sd)`.
        public var line: String {
            let (mean, sd) = accuracy
            return "test file accuracy over \(folds.count) folds"
                + (folds.groupColumn.map { " (grouped by '\($0)')" } ?? " (by file)")
                + ": mean \(ReportText.pct(mean)) ± \(ReportText.pct(sd)) (sample sd)"
        }

        /// runs/<name>/folds.csv: one row per fold.
        public var csv: String {
            var lines = ["fold,train_files,validation_files,test_files,train_groups,validation_groups,test_groups,"
                         + "best_val_accuracy,test_file_accuracy"]
            for r in results {
                lines.append("\(r.fold),\(r.trainRows.count),\(r.validationRows.count),\(r.testRows.count),"
                             + "\(r.trainGroups),\(r.validationGroups),\(r.testGroups),"
                             + "\(r.summary.bestValidationAccuracy),\(r.testFileAccuracy)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Draws `count` folds over the rows of audio.csv whose clip `config` can use (cleaned first,
    /// as its runs will clean it: reused from clean/ afterwards), grouped by the config's group column
    /// when it uses one (`Preparation.groups`), seeded by the config's seed. The other rows are in no
    /// fold (-1): no run trains or tests on them. Folds drawn over every row let unusable rows
    /// through the checks: a class whose only other file did not clean was trained without in one
    /// fold, and a fold of unusable files tested nothing but still counted in the mean.
    /// `progress` sees the cleaning.
    /// - Throws: `DataError` for an unreadable table, a class without usable clips, a missing group
    ///   column or too few usable groups.
    public static func folds(config: ExperimentConfig, data: DataFolder, count: Int,
                             progress: @escaping Preparation.Progress = { _, _, _ in }) throws -> Folds {
        var warnings: [DataWarning] = []   // the runs meet and print them
        let (table, present) = try Preparation.checkedTable(data: data, warnings: &warnings)
        let groups = try Preparation.groups(table: table, config: config)
        let usable = try Cluster.current.rankZeroFirst {
            try Preparation.clean(table: table, present: present, config: config, data: data, warnings: &warnings,
                                  progress: progress).usable
        }
        try Preparation.requireEveryClass(table: table, usable: usable, file: data.display(data.csv),
                                          warnings: warnings)
        do {
            return try Folds(labels: usable.map { table.rows[$0].label },
                             groups: groups.map { g in usable.map { g.values[$0] } },
                             column: groups?.column ?? SplitConfig.defaultGroupColumn, count: count,
                             seed: UInt64(config.training.seed))
                .covering(rows: usable, of: table.rows.count)
        } catch var error as DataError {
            error.file = table.file
            error.warnings = warnings     // why rows are not usable
            throw error
        }
    }

    /// The config of fold k (1-based): the same settings named `<name>.fold<k>`, so its model,
    /// checkpoint and feature cache are its own.
    public static func foldConfig(_ config: ExperimentConfig, fold k: Int) -> ExperimentConfig {
        var c = config
        c.name = "\(config.name).fold\(k)"
        return c
    }

    /// runs/<name>/fold<k>/ (k from 1).
    /// The folders a cross-validation of `count` folds writes into: models/, runs/<name>/ and each
    /// fold's report folder (checked for files in their place before fold 1 trains).
    public static func folders(_ config: ExperimentConfig, data: DataFolder, count: Int) -> [URL] {
        [data.models, data.run(config.name)] + (1...max(count, 1)).map { foldFolder(config, data: data, fold: $0) }
    }

    /// The first fold checkpoint of `config` (models/NAME.fold<k>.checkpoint.safetensors), looked for
    /// from fold 1 up while the folds have files, as `removeFoldsBeyond` walks them; nil when none.
    public static func foldCheckpoint(_ config: ExperimentConfig, data: DataFolder) -> URL? {
        var k = 1
        while true {
            let fold = foldConfig(config, fold: k)
            let paths = [data.checkpoint(fold.name), data.model(fold.name), foldFolder(config, data: data, fold: k)]
            guard paths.contains(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
            if FileManager.default.fileExists(atPath: paths[0].path) { return paths[0] }
            k += 1
        }
    }

    /// Whether `config`'s cross-validation was interrupted: a fold checkpoint exists and folds.csv,
    /// written when every fold and the final model have finished, does not.
    public static func interruptedCheckpoint(_ config: ExperimentConfig, data: DataFolder) -> URL? {
        let table = data.run(config.name).appendingPathComponent("folds.csv")
        return FileManager.default.fileExists(atPath: table.path) ? nil : foldCheckpoint(config, data: data)
    }

    public static func foldFolder(_ config: ExperimentConfig, data: DataFolder, fold k: Int) -> URL {
        data.run(config.name).appendingPathComponent("fold\(k)", isDirectory: true)
    }

    /// Mean and sample standard deviation (n - 1; 0 for one value, NaN for none).
    public static func meanAndDeviation(_ values: [Double]) -> (mean: Double, standardDeviation: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let squares = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        return (mean, (squares / Double(values.count - 1)).squareRoot())
    }
}
