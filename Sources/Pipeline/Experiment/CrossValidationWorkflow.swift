import Foundation

/// What `train --folds K` and `train compare --folds K` do (CrossValidation explains the choices).
extension Workflow {
    /// The fold runs and the final model of one config.
    struct CrossValidationRun {
        /// Every fold's result; nil when a run was stopped.
        var outcome: CrossValidation.Outcome?
        /// The final model's summary, or the stopped run's.
        var last: TrainingRun.Summary
        /// The final model's (or the stopped run's) data.
        var prepared: PreparedData
    }

    /// Draws the folds and prints what they are and their warnings.
    static func drawFolds(config: ExperimentConfig, data: DataFolder, count: Int) throws -> Folds {
        let line = ProgressLine()
        let folds = try CrossValidation.folds(config: config, data: data, count: count) { stage, done, total in
            line.update("\(stage) \(done)/\(total) \(ProgressLine.bar(done, of: total))", force: done == total)
        }
        let usable = folds.fold.filter { $0 >= 0 }.count
        line.finish("folds over \(usable) of \(folds.fold.count) audio.csv rows (those with a usable clip)")
        let unit = folds.groupColumn.map { "groups of column '\($0)'" } ?? "files"
        print("cross-validation: \(count) folds of \(folds.groupsPerFold.map(String.init).joined(separator: "/")) "
              + "\(unit), seed \(config.training.seed)")
        Diagnostics.report(folds.warnings)
        return folds
    }

    /// `train --folds K`: cross-validates, then prints the final model's summary and the folds' mean.
    static func trainFolds(config: ExperimentConfig, data: DataFolder, resume: Bool, count: Int,
                           console: TrainingConsole = KerasConsole()) throws -> TrainingRun.Summary {
        let folds = try drawFolds(config: config, data: data, count: count)
        let run = try crossValidate(config: config, data: data, folds: folds, resume: resume, console: console)
        guard let outcome = run.outcome else {
            print("stopped: checkpoints are in \(data.display(data.models)); continue with --folds \(count) --resume")
            return run.last
        }
        printSummary(run.last, data: data)
        printCrossValidation(outcome)
        print("folds: \(data.display(data.run(config.name).appendingPathComponent("folds.csv")))")
        return run.last
    }

    /// Trains fold 1 ... K (test = that fold), then the final model on every usable file with the
    /// cross-validation results in its report, and writes runs/<name>/folds.csv. With `resume`,
    /// each run continues its own checkpoint (a finished fold is only scored again).
    /// `console` shows each run's epochs (`forRun`: `train --folds --json` names the fold of each).
    static func crossValidate(config: ExperimentConfig, data: DataFolder, folds: Folds, resume: Bool,
                              console: TrainingConsole = KerasConsole()) throws -> CrossValidationRun {
        try data.refuseFilesWhereFoldersGo(CrossValidation.folders(config, data: data, count: folds.count))
        // not with --resume: one with another K is refused at fold 1, and must find the folds as they were
        if Cluster.current.rank == 0 && !resume {
            removeFoldsBeyond(folds.count, config: config, data: data)
            removeEarlierCheckpoints(folds.count, config: config, data: data)
            // the earlier folds' table: it would sit beside these folds' files if one of them diverges
            try? FileManager.default.removeItem(at: data.run(config.name).appendingPathComponent("folds.csv"))
        }
        var results: [CrossValidation.FoldResult] = []
        var reported = Set<String>()   // a data warning is printed once, not once per fold
        for k in 1...folds.count {
            print("== \(config.name): fold \(k) of \(folds.count)")
            let foldConfig = CrossValidation.foldConfig(config, fold: k)
            let prepared = try prepare(config: foldConfig, data: data, plan: .fold(folds, k - 1), reported: &reported)
            var run = TrainingRun(config: foldConfig, data: data, prepared: prepared)
            run.reportFolder = CrossValidation.foldFolder(config, data: data, fold: k)
            let summary = try run.run(resume: resume, console: console.forRun(foldConfig.name)) {
                StopSignal.received != nil
            }
            guard summary.outcome == .finished else { return CrossValidationRun(last: summary, prepared: prepared) }
            if var diverged = summary.nonFiniteLoss {      // a fold's estimate would not be the config's
                diverged.kept = "fold \(k) of \(folds.count) kept the model saved before it, with its report, and the "
                    + "cross-validation stopped there"
                throw diverged
            }
            let result = CrossValidation.FoldResult(fold: k, summary: summary, prepared: prepared)
            print("fold \(k): test file accuracy \(ReportText.pct(result.testFileAccuracy)) "
                  + "(\(result.testRows.count) files, \(result.testGroups) groups)")
            results.append(result)
        }
        let outcome = CrossValidation.Outcome(folds: folds, results: results)
        print("cross-validation: \(outcome.line)")
        print("== \(config.name): final model on all files")
        let prepared = try prepare(config: config, data: data, plan: .everything, reported: &reported)
        var run = TrainingRun(config: config, data: data, prepared: prepared)
        run.crossValidation = outcome
        let summary = try run.run(resume: resume, console: console.forRun(config.name)) { StopSignal.received != nil }
        guard summary.outcome == .finished else { return CrossValidationRun(last: summary, prepared: prepared) }
        if Cluster.current.rank == 0 {      // rank 0 alone writes files
            try writeAtomically(outcome.csv, to: data.run(config.name).appendingPathComponent("folds.csv"))
        }
        // every fold finished: folds.csv is theirs; a final model that diverged is the one kept before
        // (`nonFiniteLoss`: `train` prints its result and exits 1, `compare` counts it)
        return CrossValidationRun(outcome: outcome, last: summary, prepared: prepared)
    }

    /// Removes the checkpoints of folds 1 ... `count` and of the final model that an earlier
    /// cross-validation left, when one starts afresh (no `--resume`), and says so: this run replaces
    /// them, and an interrupted one must resume its own (`--folds K --resume` after a stop in fold 1
    /// met the earlier run's fold 2 checkpoint, refused as another config or other folds). The
    /// config's own checkpoint goes only when it is a cross-validation's final model: a hold-out
    /// run's stays for a plain `--resume`.
    static func removeEarlierCheckpoints(_ count: Int, config: ExperimentConfig, data: DataFolder) {
        let folds = (1...max(1, count)).map { data.checkpoint(CrossValidation.foldConfig(config, fold: $0).name) }
        let final = data.checkpoint(config.name)
        let present = folds.filter { FileManager.default.fileExists(atPath: $0.path) }
            + (isCrossValidationFinal(final) ? [final] : [])
        guard !present.isEmpty else { return }
        for path in present { try? FileManager.default.removeItem(at: path) }
        Diagnostics.warning("removed \(present.count) checkpoint\(present.count == 1 ? "" : "s") of \(config.name) "
                            + "left by an earlier run (\(present.map { data.display($0) }.joined(separator: ", "))): "
                            + "this cross-validation starts afresh (--resume continues one)")
    }

    /// Whether `checkpoint` is a cross-validation's final model (a file from before the record: one
    /// with no test files); false when it is missing or cannot be read (a resume says why).
    private static func isCrossValidationFinal(_ checkpoint: URL) -> Bool {
        guard FileManager.default.fileExists(atPath: checkpoint.path),
              let loaded = try? TrainedModel.load(from: checkpoint) else { return false }
        return loaded.model.crossValidationFinal ?? !loaded.model.splits.values.contains("test")
    }

    /// Removes the models, checkpoints and report folders of folds above `count` that an earlier run
    /// with more folds left (`--folds 8`, then `--folds 3`: folds 4 to 8 stayed beside the new ones,
    /// unmarked), and says so. Only Earmark's own files of this config are touched.
    /// With `count` 0 (a run without folds, which replaces the final model they were reported with),
    /// every fold goes, and folds.csv with them.
    static func removeFoldsBeyond(_ count: Int, config: ExperimentConfig, data: DataFolder) {
        if count == 0 {
            try? FileManager.default.removeItem(at: data.run(config.name).appendingPathComponent("folds.csv"))
        }
        var removed: [Int] = []
        var k = count + 1
        while true {
            let fold = CrossValidation.foldConfig(config, fold: k)
            let paths = [data.model(fold.name), data.checkpoint(fold.name),
                         CrossValidation.foldFolder(config, data: data, fold: k)]
            let present = paths.filter { FileManager.default.fileExists(atPath: $0.path) }
            guard !present.isEmpty else { break }
            for path in present { try? FileManager.default.removeItem(at: path) }
            removed.append(k)
            k += 1
        }
        guard let first = removed.first, let last = removed.last else { return }
        let which = first == last ? "fold \(first)" : "folds \(first) to \(last)"
        // on standard error, so that --quiet and --json runs say it too
        Diagnostics.warning("removed the models and reports of \(which) of \(config.name), from an earlier run with "
                            + (count == 0 ? "--folds" : "more folds"))
    }
}
