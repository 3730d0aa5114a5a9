import CSupport
import Foundation
import Tensor

/// What the `train` command does, step by step, with its console output.
public enum Workflow {
    /// Prepares the data (with a progress bar), trains, evaluates and reports; with `folds`,
    /// cross-validates first (`crossValidate`). A `random_forest` config is fitted instead, on the
    /// same folds with `folds` (`crossValidateForest`). `console` receives the training progress of a
    /// single run (cross-validation folds report on the Keras-style console).
    public static func train(config: ExperimentConfig, data: DataFolder, resume: Bool, folds: Int? = nil,
                             console: TrainingConsole = KerasConsole()) throws -> TrainingRun.Summary {
        try refuseForestOnRanks([config])
        try refuseDerivedNames([config])
        try config.checkLayerShapes()
        if config.model.kind == .randomForest {
            let summary = try trainForest(config: config, data: data, folds: folds)
            if folds == nil { removeReplacedFolds(config: config, data: data) }
            return summary
        }
        if let folds {
            return try trainFolds(config: config, data: data, resume: resume, count: folds, console: console)
        }
        let prepared = try prepare(config: config, data: data)
        let run = TrainingRun(config: config, data: data, prepared: prepared)
        let summary = try run.run(resume: resume, console: console) { StopSignal.shouldStop() }
        if summary.outcome == .interrupted {
            // stopped after an epoch that saved the model: the folds no longer describe it either
            if summary.savedModel { removeReplacedFolds(config: config, data: data) }
            let checkpoint = data.display(data.checkpoint(config.name))
            print("stopped: checkpoint written to \(checkpoint); continue with --resume")
            return summary
        }
        if summary.savedModel { removeReplacedFolds(config: config, data: data) }
        printSummary(summary, data: data)
        return summary   // with `nonFiniteLoss`, the caller prints its result and exits 1
    }

    /// After a run without folds has saved its model: an earlier cross-validation's fold models,
    /// reports and folds.csv no longer describe it, and go (with a warning). Not before: a run that
    /// failed, stopped or saved nothing left them without a model to replace them (rank 0 alone).
    /// An interrupted cross-validation (a fold checkpoint, and no folds.csv, which is written when every
    /// fold and the final model have finished) is kept, with a warning: its checkpoints are work that
    /// `--folds K --resume` continues, and a plain run (a stale `--resume` among them) deleted them.
    static func removeReplacedFolds(config: ExperimentConfig, data: DataFolder) {
        guard Cluster.current.rank == 0 else { return }
        if let fold = CrossValidation.interruptedCheckpoint(config, data: data) {
            Diagnostics.warning("kept the folds of an interrupted cross-validation of \(config.name) beside this model "
                                + "(\(data.display(fold)) and the others): resume it with `train --folds K --resume`, "
                                + "or remove them")
            return
        }
        removeFoldsBeyond(0, config: config, data: data)
    }

    /// Trains every config in turn on the same data and prints and writes the comparison table;
    /// with `folds`, cross-validates each config on the same folds (drawn once, with the first
    /// config's seed and group column).
    /// With several ranks every rank trains and scores each config; rank 0 alone builds and writes the
    /// table (it times prediction with the model files it wrote).
    /// - Returns: false when a stop signal ended it before the table (the caller exits with 130).
    @discardableResult
    public static func compare(configs: [ExperimentConfig], data: DataFolder, folds: Int? = nil) throws -> Bool {
        try refuseForestOnRanks(configs)
        try refuseSharedNames(configs)
        try refuseDerivedNames(configs)
        for config in configs { try config.checkLayerShapes() }     // every config's, before the first trains
        // a file where one of the comparison's folders goes, found before the first config trains
        try data.refuseFilesWhereFoldersGo([data.models, data.runs.appendingPathComponent("compare")]
            + configs.flatMap { config in
                folds.map { CrossValidation.folders(config, data: data, count: $0) } ?? [data.run(config.name)]
            })
        // and what needs the class list (an output of another width, a class weight of an unknown class)
        if data.hasTable, let classes = try? data.readTable().classes {
            for config in configs { try config.checkAgainstClasses(classes) }
        }
        var comparison = Comparison()
        let writes = Cluster.current.rank == 0
        var leftOut: [String] = [], diverged: [String] = []
        // one config that diverges does not end the comparison of the others (it did): before any epoch
        // it is left out, later its row is the model saved before; either way the status says so
        func leaveOut(_ config: ExperimentConfig, _ error: NonFiniteLossError) {
            Diagnostics.warning("\(config.name): \(error); left out of the comparison")
            leftOut.append(config.name)
        }
        func keepDiverged(_ config: ExperimentConfig, _ summary: TrainingRun.Summary) {
            guard let error = summary.nonFiniteLoss else { return }
            Diagnostics.warning("\(config.name): \(error); its row is that model's")
            diverged.append(config.name)
        }
        if let count = folds {
            let shared = try drawFolds(config: configs[0], data: data, count: count)
            for config in configs {
                print("== \(config.name) (\(config.source))")
                if config.model.kind == .randomForest {
                    let run = try crossValidateForest(config: config, data: data, folds: shared)
                    printSummary(run.last, data: data)
                    printCrossValidation(run.outcome)
                    try comparison.add(run.last, config: config, clips: run.prepared.clips,
                                       testRows: run.prepared.testRows, crossValidation: run.outcome)
                    continue
                }
                let run: CrossValidationRun
                do { run = try crossValidate(config: config, data: data, folds: shared, resume: false) } catch
                    let diverged as NonFiniteLossError { leaveOut(config, diverged); continue }
                guard let outcome = run.outcome else { printCompareStopped(); return false }
                printSummary(run.last, data: data)
                printCrossValidation(outcome)
                keepDiverged(config, run.last)
                if writes {
                    try comparison.add(run.last, config: config, prepared: run.prepared, crossValidation: outcome)
                }
            }
            try finish(comparison, data: data, writes: writes, leftOut: leftOut, diverged: diverged)
            return true
        }
        for config in configs {
            print("== \(config.name) (\(config.source))")
            if config.model.kind == .randomForest {
                let (summary, prepared) = try fitForest(config: config, data: data)
                removeReplacedFolds(config: config, data: data)
                try comparison.add(summary, config: config, clips: prepared.clips, testRows: prepared.testRows)
                continue
            }
            let prepared = try prepare(config: config, data: data)
            let summary: TrainingRun.Summary
            do {
                summary = try TrainingRun(config: config, data: data, prepared: prepared)
                    .run(resume: false, console: KerasConsole()) { StopSignal.shouldStop() }
            } catch let diverged as NonFiniteLossError {
                leaveOut(config, diverged)
                continue
            }
            guard summary.outcome == .finished else { printCompareStopped(); return false }
            if summary.savedModel { removeReplacedFolds(config: config, data: data) }
            printSummary(summary, data: data)
            keepDiverged(config, summary)
            if writes { try comparison.add(summary, config: config, prepared: prepared) }
        }
        try finish(comparison, data: data, writes: writes, leftOut: leftOut, diverged: diverged)
        return true
    }

    /// Writes the table (rank 0), unless no config gave a row (the previous table is kept); then fails
    /// when configs were left out, so that a script sees it (a comparison of diverged configs exited 0
    /// and replaced the previous table with an empty one).
    static func finish(_ comparison: Comparison, data: DataFolder, writes: Bool, leftOut: [String],
                       diverged: [String]) throws {
        guard !comparison.rows.isEmpty || !writes else {
            let kept = FileManager.default.fileExists(atPath: data.runs.appendingPathComponent("compare/compare.csv").path)
            throw DataError(file: nil, problem: "no config could be compared: \(leftOut.joined(separator: ", ")) diverged",
                            hint: "lower the learning rate" + (kept ? "; the previous comparison table is kept" : ""))
        }
        if writes { try finish(comparison, data: data) }
        if !leftOut.isEmpty || !diverged.isEmpty {
            let out = leftOut.isEmpty ? "" : "\(leftOut.count) left out of the comparison (\(leftOut.joined(separator: ", ")))"
            let kept = diverged.isEmpty ? ""
                : "\(diverged.count) compared by the model saved before (\(diverged.joined(separator: ", ")))"
            throw DataError(file: nil, problem: "the loss of some configs became NaN or infinite: "
                                + [out, kept].filter { !$0.isEmpty }.joined(separator: "; "),
                            hint: "the table compares what could be; lower their learning rate")
        }
    }

    /// What a stopped comparison left: no table (`train compare` has no --resume).
    static func printCompareStopped() {
        print("stopped: no comparison table written (train compare has no --resume: run it again)")
    }

    /// A random forest is fitted by one process: under mpirun with several ranks it is an error.
    static func refuseForestOnRanks(_ configs: [ExperimentConfig]) throws {
        guard Cluster.current.size > 1, let forest = configs.first(where: { $0.model.kind == .randomForest }) else {
            return
        }
        throw ConfigError(file: forest.source, key: "model.kind",
                          "random_forest is fitted by one process, not data-parallel: run it without mpirun")
    }

    /// Two configs of one comparison with the same name would write the same model file and run
    /// folder, the second replacing the first's: refused before any work, naming both files.
    static func refuseSharedNames(_ configs: [ExperimentConfig]) throws {
        var first: [String: ExperimentConfig] = [:]
        for config in configs {
            if let earlier = first[config.name] {
                let same = earlier.source == config.source
                throw ConfigError(file: config.source, key: "name", same
                    ? "given twice to train compare"
                    : "'\(config.name)' is also the name of \(earlier.source): the second would replace the first's "
                        + "models/\(config.name).safetensors and runs/\(config.name)/; give each config its own name")
            }
            first[config.name] = config
        }
    }

    /// The longest config name, in bytes (UTF-8).
    static let longestName = 200

    /// A name ending like the files Earmark derives from another name (models/NAME.checkpoint.safetensors,
    /// the folds' models/NAME.fold2.safetensors) would write over those of the config it ends like: a
    /// config named `conv.checkpoint` replaced conv's checkpoint, `conv.fold2` a fold model of conv.
    /// Refused before any work. (A stored model's config keeps its fold name: only new runs are held to this.)
    static func refuseDerivedNames(_ configs: [ExperimentConfig]) throws {
        for config in configs {
            // the longest file a name makes adds ~40 bytes (pickles/<name>.fold12-<hash>.safetensors) to
            // it, and a file name holds 255: a longer name failed after the cleaning and features
            if config.name.utf8.count > longestName {
                throw ConfigError(file: config.source, key: "name",
                                  "is \(config.name.utf8.count) bytes long; at most \(longestName) (the files it names "
                                      + "add up to 40 bytes to it, and a file name holds 255)")
            }
            let parts = config.name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count > 1, let last = parts.last else { continue }
            let isFold = last.hasPrefix("fold") && last.count > 4
                && last.dropFirst(4).allSatisfy { $0.isASCII && $0.isNumber }
            guard last == "checkpoint" || isFold else { continue }
            let base = parts.dropLast().joined(separator: ".")
            let file = last == "checkpoint" ? "checkpoint models/\(base).checkpoint.safetensors"
                                            : "fold model models/\(config.name).safetensors"
            throw ConfigError(file: config.source, key: "name",
                              "'\(config.name)' ends like a file Earmark writes for the config '\(base)' "
                                  + "(its \(file)) and would replace it; give the config a name that does not end in "
                                  + "'.\(last)'")
        }
    }

    /// Prints and writes the comparison table.
    static func finish(_ comparison: Comparison, data: DataFolder) throws {
        print(comparison.markdown())
        let folder = data.runs.appendingPathComponent("compare", isDirectory: true)
        try comparison.write(to: folder)
        print("comparison: \(data.display(folder.appendingPathComponent("compare.md"))) and compare.svg")
    }

    /// Prepares the data with a progress line, then prints its warnings but those in `reported`
    /// (the earlier runs of a cross-validation printed them), which it adds to.
    static func prepare(config: ExperimentConfig, data: DataFolder, plan: SplitPlan = .holdOut,
                        reported: inout Set<String>) throws -> PreparedData {
        let line = ProgressLine()
        // rank 0 cleans and caches; the other ranks then read its cache
        let prepared = try Cluster.current.rankZeroFirst {
            try Preparation.run(config: config, data: data, plan: plan) { stage, done, total in
                line.update("\(stage) \(done)/\(total) \(ProgressLine.bar(done, of: total))", force: done == total)
            }
        }
        let (listed, usable) = (prepared.listedFiles, prepared.usableFiles)
        line.finish("data: \(usable) of \(listed) listed files usable, \(listed - usable) skipped; "
                    + "\(prepared.classes.count) classes (\(prepared.classes.joined(separator: ", "))); "
                    + "\(prepared.trainRows.count)/\(prepared.validationRows.count)/\(prepared.testRows.count) "
                    + "train/validation/test files; "
                    + groupText(prepared)
                    + "\(prepared.train.count) training windows" + (prepared.cacheHit ? " (feature cache)" : ""))
        Diagnostics.report(prepared.warnings.filter { !reported.contains($0.description) })
        reported.formUnion(prepared.warnings.map(\.description))
        return prepared
    }

    /// `prepare` of one run, every warning printed.
    static func prepare(config: ExperimentConfig, data: DataFolder, plan: SplitPlan = .holdOut) throws -> PreparedData {
        var reported = Set<String>()
        return try prepare(config: config, data: data, plan: plan, reported: &reported)
    }

    /// `8/2/3 train/validation/test groups by 'part'; ` when the split used groups, else "".
    static func groupText(_ p: some PreparedSplit) -> String {
        guard let column = p.groupColumn else { return "" }
        return "\(p.groupCount(p.trainRows))/\(p.groupCount(p.validationRows))/\(p.groupCount(p.testRows)) "
            + "train/validation/test groups by '\(column)'; "
    }

    /// The console's line for the threshold chosen on the validation files (`OperatingPoint`).
    static func operatingPointLine(_ op: OperatingPoint, classes: [String]) -> String {
        let positive = classes[op.positive]
        guard op.threshold.isFinite else {
            return "threshold: none could be chosen on the \(op.test == nil ? "out-of-fold test" : "validation") files "
                + "(FPR <= \(op.maxFPR) allows no false alarm "
                + "of \(op.validation.negatives)); predict keeps the more probable class"
        }
        let option = op.positive == 1 ? "" : " --positive-class \(positive)"
        let (set, rates) = op.test.map { ("validation files", ("test", $0)) } ?? ("out-of-fold test files", ("there", op.validation))
        return "threshold chosen on the \(set): \(positive) when p(\(positive)) >= \(op.threshold) "
            + "(\(rates.0) FPR \(ReportText.pct(rates.1.falsePositiveRate)), TPR \(ReportText.pct(rates.1.truePositiveRate))); "
            + "predict --threshold \(op.threshold)\(option)"
    }

    /// The folds' mean line, and for two classes the threshold chosen on the out-of-fold test files.
    static func printCrossValidation(_ outcome: CrossValidation.Outcome) {
        print("cross-validation: \(outcome.line)")
        if let op = outcome.operatingPoint { print(operatingPointLine(op, classes: outcome.classes)) }
    }

    static func printSummary(_ s: TrainingRun.Summary, data: DataFolder) {
        if let t = s.test {
            print(String(format: "test: file-level accuracy %.1f%% (%d/%d files), window-level %.1f%%",
                         t.report.accuracy * 100, t.report.correct, t.report.total, t.windowAccuracy * 100))
            print(t.report.table())
            if let roc = t.roc() {
                print(String(format: "ROC AUC %.4f, partial AUC (FPR <= 0.1) %.4f",
                             roc.auc, roc.partialAUC(maxFPR: 0.1)))
            }
            if let op = s.operatingPoint {
                print(operatingPointLine(op, classes: t.classes))
            }
        } else {
            print("test: no held-out test files")
        }
        print("model: \(data.display(s.modelURL))")
        print("report: \(data.display(s.reportFolder.appendingPathComponent("report.md")))")
    }
}

/// Error reporting shared by the executables: a user error becomes one line on standard error
/// (`error: <file or key>: <problem>`) and exit status 1, never a stack trace.
public enum CLI {
    /// Start-up shared by the executables: closed standard descriptors reopened on /dev/null and
    /// standard output checked at exit (`StandardStreams`), standard output line-buffered (progress,
    /// prints and warnings keep their order in logs) and denormals flushed to zero on this thread.
    public static func start(filter: Bool = false) {
        StandardStreams.guardAtStart()
        if !filter { StandardStreams.ignoreBrokenPipes() }
        earmark_line_buffer_stdout()
        FloatEnvironment.flushDenormalsToZero()
        if let problem = EnvironmentCheck.problem() {
            Diagnostics.error(problem)
            exit(1)
        }
    }

    /// Runs `body`; on error prints it and exits with status 1. A `DataError`'s warnings (the
    /// skipped rows and clips that led to it) are printed first, one line each.
    @discardableResult
    public static func report<T>(_ body: () throws -> T) -> T {
        do { return try body() } catch {
            if let e = error as? DataError { Diagnostics.report(e.warnings) }
            Diagnostics.error(String(describing: error))
            exit(1)
        }
    }
}
