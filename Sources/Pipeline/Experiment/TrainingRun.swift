import Durable
import Foundation
import Layers
import Tensor

/// One training run on prepared data: builds the network, trains with checkpoints, keeps the best
/// model by validation accuracy, then scores the held-out test files. Files:
/// models/<name>.safetensors (best), models/<name>.checkpoint.safetensors (latest, with optimizer and
/// training state), runs/<name>/history.csv, curves.svg, confusion.svg, report.md.
public struct TrainingRun {
    public let config: ExperimentConfig
    public let data: DataFolder
    public let prepared: PreparedData
    /// Where history, plots and report.md go (runs/<name>/ unless set).
    public var reportFolder: URL
    /// Cross-validation results to add to report.md (the final model of `train --folds`).
    public var crossValidation: CrossValidation.Outcome?

    public init(config: ExperimentConfig, data: DataFolder, prepared: PreparedData) {
        self.config = config; self.data = data; self.prepared = prepared
        reportFolder = data.run(config.name)
    }

    /// How a run ended.
    public struct Summary {
        public var outcome: TrainingOutcome
        public var history: [EpochRecord]
        public var parameters: Int
        public var bestValidationAccuracy: Double
        /// Test results (nil when interrupted or when there are no test files).
        public var test: TestEvaluation?
        public var trainingWindowsPerSecond: Double
        public var secondsPerEpoch: Double
        public var modelURL: URL
        public var reportFolder: URL
        /// Why training ended before the config's epochs (`training.early_stopping`); nil when every
        /// epoch ran.
        public var earlyStop: EarlyStopping.Verdict? = nil
        /// With `training.reduce_lr_on_plateau`: the learning rate of each epoch; with
        /// `training.learning_rate_schedule`: the rate of each epoch's last update (nil without either).
        public var learningRates: [Float]? = nil
        /// Two classes: the decision threshold chosen on the validation files and its test rates.
        public var operatingPoint: OperatingPoint? = nil
        /// Training stopped at a NaN or infinite loss after some epochs: the report is the model saved before.
        public var nonFiniteLoss: NonFiniteLossError? = nil
        /// Whether this run wrote the model file (an epoch improved), as opposed to a `--resume` that
        /// found nothing left to train: only then does it replace the model earlier folds described.
        public var savedModel = false
        /// The final model of `--folds K`: the folds' results (its estimate, and the threshold chosen
        /// on their out-of-fold test files).
        public var crossValidation: CrossValidation.Outcome? = nil
    }

    /// Replicas that share each batch: one per core (EARMARK_THREADS overrides; 1 disables), at
    /// most one per 8 examples of a batch. Results are exactly reproducible for a fixed count.
    /// With several ranks (`Cluster.current`) each rank's replicas share its shard of the batch, and
    /// the ranks on one host share its cores.
    static func replicaCount(batchSize: Int) -> Int {
        let cluster = Cluster.current
        let requested = ProcessInfo.processInfo.environment["EARMARK_THREADS"].flatMap { Int($0) }
            ?? max(1, ProcessInfo.processInfo.activeProcessorCount / cluster.localSize)
        return max(1, min(requested, batchSize / cluster.size / 8))
    }

    /// Trains for `config.training.epochs` epochs (continuing a checkpoint when `resume`).
    /// `console` receives Keras-style progress; `shouldStop` is polled after every step.
    /// A NaN or infinite loss after some epochs returns the summary of the model saved before it, with
    /// `nonFiniteLoss` set (its report written); before any epoch ended, it throws `NonFiniteLossError`.
    public func run(resume: Bool, console: TrainingConsole, shouldStop: @escaping () -> Bool) throws -> Summary {
        try config.checkAgainstClasses(prepared.classes)      // before runs/NAME/ is made: none left empty
        if Cluster.current.rank == 0 { try requireWritableFolders() }
        let trainer = try makeTrainer(console: console)
        if resume { try restoreCheckpoint(into: trainer, console: console) }
        let report = RunReport(folder: reportFolder)
        let saved = SavedFlag()
        let events = makeEvents(trainer: trainer, report: report, console: console, saved: saved, shouldStop: shouldStop)
        let epochSet: ((Int) -> WindowSet)? = prepared.trainClips == nil ? nil : { [prepared, config] epoch in
            prepared.trainingSet(epoch: epoch, config: config)
        }
        var outcome: TrainingOutcome
        var nonFinite: NonFiniteLossError?
        do {
            outcome = try StopSignal.deferred {
                try trainer.run(train: prepared.train, validation: prepared.validation,
                                epochs: config.training.epochs, events: events, epochSet: epochSet)
            }
        } catch var error as NonFiniteLossError {
            // the epochs before it saved the model and history: the report is written for that model too
            // (it kept the previous run's report beside this run's model); with no epoch, nothing was saved
            guard !trainer.state.history.isEmpty else {
                let earlier = FileManager.default.fileExists(atPath: data.model(config.name).path)
                error.kept = "no epoch of this run finished, so it saved nothing"
                    + (earlier ? " (\(data.display(data.model(config.name))) is an earlier run's)" : "")
                throw error
            }
            error.kept = "the model saved before it is kept, and its report written"
            nonFinite = error
            outcome = .finished
        }
        // a signal during the last step, or while the last epoch validated and saved, arrived after the
        // trainer's last look at it: the run stops here, its checkpoint written, as at any other step
        // (it went on to score and report, and exited 0)
        if outcome == .finished, StopSignal.received != nil { outcome = .interrupted }
        noteCommunication(trainer, console: console)
        var summary = summarize(outcome, trainer: trainer, report: report)
        summary.crossValidation = crossValidation
        summary.savedModel = saved.value
        if let nonFinite { summary.nonFiniteLoss = nonFinite; summary.earlyStop = nil }
        if let stop = summary.earlyStop, let rule = config.training.earlyStopping {
            console.note("early stopping after epoch \(stop.stoppedAfter) of \(config.training.epochs): no improvement "
                         + "of \(rule.monitor.rawValue) since epoch \(stop.lastImprovement); the model kept is the best "
                         + "val_accuracy epoch's")
        }
        guard outcome == .finished else { return summary }
        if let scored = try scoreTestFiles(report: report) {
            summary.test = scored.test
            summary.operatingPoint = scored.operatingPoint
        }
        guard Cluster.current.rank == 0 else { return summary }
        KillPoint.reached("report")
        try report.writeMarkdown(ReportText.markdown(config: config, data: data, prepared: prepared, summary: summary,
                                                     crossValidation: crossValidation))
        try report.writeHTML(page(summary).html())
        return summary   // with `nonFiniteLoss` set, the caller decides: `train` then fails, `compare` goes on
    }

    /// models/ and runs/<name>/ exist and can be written, checked before the first step: the first
    /// epoch replaces the model, so a report folder found read-only only when its history is written
    /// left the new model beside the old run's report (a file system that fills up during the run can
    /// still do that; RELIABILITY.md says so).
    func requireWritableFolders() throws {
        try data.requireWritable([data.models, reportFolder])
    }

    /// report.html's content: what report.md says, with the misclassified files' players.
    func page(_ summary: Summary) -> RunPage {
        var page = RunPage(title: "\(config.name): training report", name: config.name,
                           summary: ReportText.summaryLines(config: config, data: data, prepared: prepared,
                                                            summary: summary),
                           configYAML: config.yaml(), data: data, folder: reportFolder)
        page.history = summary.history
        page.test = summary.test
        page.operatingPoint = summary.operatingPoint
        page.fnames = prepared.table.rows.map(\.fname)
        page.crossValidation = crossValidation
        page.warnings = prepared.warnings
        return page
    }

    /// The network (its summary noted on `console`), its `replicaCount` replicas in an engine, the
    /// optimizer and the loss with the configured class weights, in a trainer.
    func makeTrainer(console: TrainingConsole) throws -> Trainer {
        let classes = prepared.classes.count, seed = UInt64(config.training.seed)
        // the examples this process holds in one step: its ranks' share of a batch, which the data caps
        let windows = prepared.train.labels.count, ranks = max(1, Cluster.current.size)
        let perProcess = (min(config.training.batchSize, max(1, windows)) + ranks - 1) / ranks
        let replicas = Self.replicaCount(batchSize: config.training.batchSize)
        let network = try config.makeModel(classes: classes, seed: seed, activationBatch: perProcess, replicas: replicas)
        console.note(network.summary())
        let others = try (1..<replicas).map { _ in
            try config.makeModel(classes: classes, seed: seed)
        }
        let weights = try config.training.classWeight.weights(classes: prepared.classes, labels: prepared.train.labels,
                                                              source: config.source)
        let engine = TrainingEngine(replicas: [network] + others, collective: Cluster.current)
        let trainer = Trainer(engine: engine, optimizer: config.training.makeOptimizer(stepsPerEpoch: stepsPerEpoch),
                              loss: SoftmaxCrossEntropy(classWeights: weights,
                                                        labelSmoothing: Float(config.training.labelSmoothing)),
                              batchSize: config.training.batchSize, shuffle: config.training.shuffle, seed: seed)
        trainer.augmentation = TrainingAugmenter.make(config: config, prepared: prepared)
        trainer.earlyStopping = config.training.earlyStopping
        trainer.reduceLearningRate = config.training.reduceLROnPlateau
        trainer.modelCheckpoint = config.training.modelCheckpoint ?? ModelCheckpoint()
        if prepared.validation.count == 0 && Cluster.current.rank == 0 {
            if config.training.earlyStopping != nil {
                Diagnostics.warning("training.early_stopping: no validation windows to watch (too few files for "
                                    + "split.validation); all \(config.training.epochs) epochs run")
            }
            if config.training.reduceLROnPlateau != nil {
                Diagnostics.warning("training.reduce_lr_on_plateau: no validation windows to watch (too few files "
                                    + "for split.validation); the learning rate stays \(config.training.learningRate)")
            }
        }
        return trainer
    }

    /// Loads this config's checkpoint into the trainer's model, optimizer and state, or notes that
    /// there is none (training then starts from the beginning).
    /// - Throws: `DataError` when the checkpoint was made with another config.
    func restoreCheckpoint(into trainer: Trainer, console: TrainingConsole) throws {
        let checkpointURL = data.checkpoint(config.name)
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
            // an interrupted cross-validation's checkpoints, resumed without --folds: it trained from the
            // beginning (and, before the folds' removal waited for a finished cross-validation, removed them)
            if crossValidation == nil, prepared.plan == .holdOut,
               let fold = CrossValidation.interruptedCheckpoint(config, data: data) {
                throw DataError(file: data.display(checkpointURL),
                                problem: "does not exist, but \(data.display(fold)) is an interrupted cross-validation's",
                                hint: "resume it with `train --folds K --resume` (K as it was started), or train "
                                    + "without --resume")
            }
            // a warning, so that --quiet and --json runs say it too
            Diagnostics.warning("no checkpoint at \(data.display(checkpointURL)): starting from the beginning")
            return
        }
        let loaded = try TrainedModel.load(from: checkpointURL)
        // a cross-validation's final model is continued by --folds K --resume, a hold-out run's by a plain
        // --resume (a file from before the record: its splits tell, as below)
        if crossValidation == nil, prepared.plan == .holdOut, loaded.model.crossValidationFinal == true {
            throw DataError(file: data.display(checkpointURL),
                            problem: "is a cross-validation's final model",
                            hint: "resume it with `train --folds K --resume` (K as it was started), or train "
                                + "without --resume (which replaces it)")
        }
        // (a file from before the record: a hold-out run's has test files, a final model's none)
        let holdOut = loaded.model.crossValidationFinal.map { !$0 } ?? loaded.model.splits.values.contains("test")
        if crossValidation != nil, holdOut {
            // a hold-out run's checkpoint where the final model's goes (a plain run interrupted after the
            // folds were): the final model, which replaces that run's model anyway, starts afresh
            Diagnostics.warning("\(data.display(checkpointURL)) is a hold-out run's checkpoint, not this "
                                + "cross-validation's final model: the final model starts from the beginning")
            return
        }
        guard loaded.model.config.configHash == config.configHash else {
            throw DataError(file: data.display(checkpointURL), problem: "was made with another config",
                            hint: "remove it or train without --resume")
        }
        // the checkpoint's output units are its classes: other classes cannot take its weights
        guard loaded.model.classes == prepared.classes else {
            throw DataError(file: data.display(checkpointURL),
                            problem: "was made for the classes \(loaded.model.classes.joined(separator: ", ")), the data now "
                                + "has \(prepared.classes.joined(separator: ", "))",
                            hint: "resume with the audio.csv it was made with, or train without --resume")
        }
        // and it must continue on the same split (a hold-out's, or the same fold: same --folds, data and seed):
        // files it trained on would otherwise be tested
        if loaded.model.splits != prepared.splitNames {
            // a cross-validation's final model written before the record (every file trains or
            // validates): resumed by --folds
            if prepared.plan == .holdOut, loaded.model.crossValidationFinal == nil, !loaded.model.splits.isEmpty,
               !loaded.model.splits.values.contains("test") {
                throw DataError(file: data.display(checkpointURL),
                                problem: "is a cross-validation's final model (it has no test files)",
                                hint: "resume it with `train --folds K --resume` (K as it was started), or train "
                                    + "without --resume (which replaces it)")
            }
            throw DataError(file: data.display(checkpointURL),
                            problem: prepared.plan == .holdOut ? "was made with other files or another split"
                                : "was made with other folds or files",
                            hint: prepared.plan == .holdOut
                                ? "resume with the same seed and audio.csv, or train without --resume"
                                : "resume with the same --folds, seed and audio.csv, or train without --resume")
        }
        // and on the same audio: a file replaced under its name would otherwise go on training, silently,
        // on other recordings than the checkpoint's (a checkpoint without fingerprints is older: not checked)
        let stored = loaded.model.splitFingerprints
        if !stored.isEmpty {
            let now = prepared.splitFingerprints
            let changed = stored.keys.sorted().filter { stored[$0] != now[$0] }
            if !changed.isEmpty {
                throw DataError(file: data.display(checkpointURL),
                                problem: "was made with other audio in \(changed.count) file(s) of the same name "
                                    + "(\(changed.prefix(3).joined(separator: ", "))\(changed.count > 3 ? ", ..." : ""))",
                                hint: "resume with the recordings it was made with, or train without --resume")
            }
        }
        // and with the same noise clips mixed in (a checkpoint without the record is older: not checked)
        if let stored = loaded.model.noiseFingerprint, stored != prepared.noiseBank?.fingerprint {
            throw DataError(file: data.display(checkpointURL),
                            problem: "was made with other noise clips (augmentation.noise.folder changed since)",
                            hint: "resume with the noise folder it was made with, or train without --resume")
        }
        let network = trainer.model
        network.assignWeights(from: loaded.model.network)
        do { try trainer.optimizer.restore(loaded.optimizerState, for: network.parameters) } catch {
            throw DataError(file: data.display(checkpointURL), problem: "\(error)",
                            hint: "the file is damaged: train without --resume")
        }
        let state = loaded.trainingState ?? TrainingState()
        if let problem = state.problem(epochs: config.training.epochs, stepsPerEpoch: stepsPerEpoch) {
            throw DataError(file: data.display(checkpointURL), problem: "holds an impossible training_state: \(problem)",
                            hint: "the file is damaged: train without --resume")
        }
        trainer.state = state
        let stopped = trainer.state.nextStep == 0
            ? config.training.earlyStopping?.verdict(history: trainer.state.history) : nil
        if trainer.state.epoch >= config.training.epochs {   // it said "resuming at epoch 7" of 6
            let n = config.training.epochs
            console.note("\(config.name): \(n)/\(n) epochs already done; scoring and reporting it again")
        } else if let stopped {   // and "resuming at epoch 3" of a run early stopping had ended after epoch 2
            console.note("\(config.name): early stopping ended it after epoch \(stopped.stoppedAfter); scoring and "
                         + "reporting it again")
        } else {
            console.note("resuming \(config.name) at epoch \(trainer.state.epoch + 1), step \(trainer.state.nextStep + 1)")
        }
    }

    /// The run's callbacks: progress on `console`, the best model, history and checkpoint files.
    func makeEvents(trainer: Trainer, report: RunReport, console: TrainingConsole, saved: SavedFlag = SavedFlag(),
                    shouldStop: @escaping () -> Bool) -> TrainingEvents {
        var model = TrainedModel(config: config, classes: prepared.classes, scaling: prepared.scaling,
                                 splits: prepared.splitNames, network: trainer.model)
        model.splitFingerprints = prepared.splitFingerprints
        model.crossValidationFinal = crossValidation != nil
        model.noiseFingerprint = prepared.noiseBank?.fingerprint
        let checkpointURL = data.checkpoint(config.name), bestURL = data.model(config.name)
        let epochs = config.training.epochs
        var events = TrainingEvents()
        var announced = -1
        // After Ctrl-C or SIGTERM the console is quiet until the stop line. Under mpirun the signal
        // reaches the ranks from a launcher that stops reading their output while it waits to kill
        // them: a rank that went on printing progress could block on the full pipe before it wrote
        // its checkpoint (MPITests, a signal to mpirun).
        var silenced = false
        let quiet = {
            guard StopSignal.received != nil else { return false }
            if !silenced { silenced = true; console.stopRequested() }
            return true
        }
        events.step = { epoch, step, steps, loss, accuracy, perStep in
            if !quiet() {
                if epoch != announced { announced = epoch; console.epochStart(epoch + 1, of: epochs) }
                console.step(step + 1, of: steps, loss: loss, accuracy: accuracy, secondsPerStep: perStep)
            }
            KillPoint.reached("step")
        }
        events.shouldStop = shouldStop
        guard Cluster.current.rank == 0 else { return events }     // rank 0 alone writes files
        events.learningRateChanged = { epoch, rate in     // Keras's message
            if !quiet() { console.note("Epoch \(epoch): ReduceLROnPlateau reducing learning rate to \(rate).") }
        }
        events.epochEnd = { record, improved in
            if !quiet() { console.epochEnd(record, steps: stepsPerEpoch, improved: improved) }
            model.epoch = record.epoch
            if improved { try model.save(to: bestURL); saved.value = true }
            try report.writeHistory(trainer.state.history, title: config.name)
        }
        events.checkpoint = {
            try model.save(to: checkpointURL, optimizer: trainer.optimizer, trainingState: trainer.state)
        }
        return events
    }

    /// With several ranks: the step's allreduce (its size, and its mean time per step) beside the step time.
    /// With EARMARK_STEP_PHASES=1 (any rank count): where rank 0's steps went (`StepPhases`), and the
    /// step time of whole epochs (the figure the 2-rank line gives, to compare 1 rank with 2).
    func noteCommunication(_ trainer: Trainer, console: TrainingConsole) {
        let engine = trainer.engine, c = engine.collective
        let steps = stepsPerEpoch
        let epochs = trainer.state.history
        let stepSeconds = epochs.map(\.seconds).reduce(0, +) / Double(max(1, epochs.count * steps))
        let step = epochs.isEmpty ? "" : String(format: ", step %.3f ms", stepSeconds * 1e3)   // whole epochs only
        if StepPhases.separateWait, engine.phases.steps > 0 {
            console.note("step phases (rank \(c.rank) of \(c.size)): " + engine.phases.summary + step)
            if let times = engine.model.layerTimes {
                console.note("layer times of replica 0:\n" + times.summary(names: engine.model.layers.map { "\($0.name) (\($0.kind))" }))
            }
        }
        guard c.size > 1, engine.allreduceCalls > 0 else { return }
        let floats = engine.allreduceFloats
        console.note(String(format: "data-parallel: %d ranks x %d replicas; one allreduce per step of %d floats "
                            + "(%.1f KiB: gradients, state, statistics) %.3f ms per step", c.size,
                            engine.replicas.count, floats, Double(floats * 4) / 1024,
                            engine.allreduceSeconds / Double(engine.allreduceCalls) * 1e3)
                     + step)
    }

    /// What the run did, without the test results.
    func summarize(_ outcome: TrainingOutcome, trainer: Trainer, report: RunReport) -> Summary {
        let history = trainer.state.history
        let seconds = history.map(\.seconds).reduce(0, +)
        let windows = Double(prepared.train.count * history.count)
        let best = trainer.state.bestValidationAccuracy      // -1 when no epoch had validation windows
        let stoppedEarly = outcome == .finished && history.count < config.training.epochs
        return Summary(outcome: outcome, history: history, parameters: trainer.model.parameterCount,
                       bestValidationAccuracy: best < 0 ? .nan : best, test: nil,
                       trainingWindowsPerSecond: seconds > 0 ? windows / seconds : .nan,
                       secondsPerEpoch: history.isEmpty ? .nan : seconds / Double(history.count),
                       modelURL: data.model(config.name), reportFolder: report.folder,
                       earlyStop: stoppedEarly ? config.training.earlyStopping?.verdict(history: history) : nil,
                       learningRates: learningRates(trainer: trainer, history: history))
    }

    /// `Summary.learningRates`: replayed from the history (`reduce_lr_on_plateau`) or the schedule's
    /// rate at each epoch's last update (`learning_rate_schedule`).
    func learningRates(trainer: Trainer, history: [EpochRecord]) -> [Float]? {
        if let schedule = trainer.optimizer.schedule {
            return history.map { schedule.rate(atStep: $0.epoch * stepsPerEpoch - 1) }
        }
        return config.training.reduceLROnPlateau?.learningRates(initial: Float(config.training.learningRate),
                                                                 history: history)
    }

    /// Updates of one epoch: its training windows in batches of `training.batch_size` (the last one short).
    var stepsPerEpoch: Int {
        (prepared.train.count + config.training.batchSize - 1) / config.training.batchSize
    }

    /// The best model's results on the held-out test files, with their confusion plot (nil without
    /// test files), and for two classes the operating point chosen on the validation files
    /// (`OperatingPoint`; nil without validation files of both classes). With several ranks, rank 0
    /// reads the model file and sends its weights to the others, every rank predicts its shard of
    /// the files, and the predictions are gathered (`DistributedScoring`); rank 0 alone writes the plot.
    func scoreTestFiles(report: RunReport) throws -> (test: TestEvaluation, operatingPoint: OperatingPoint?)? {
        let cluster = Cluster.current
        guard !prepared.testRows.isEmpty else { return nil }
        let best: TrainedModel
        if cluster.rank == 0 {
            best = try TrainedModel.load(from: data.model(config.name)).model
        } else {
            best = TrainedModel(config: config, classes: prepared.classes, scaling: prepared.scaling,
                                splits: prepared.splitNames,
                                network: try config.makeModel(classes: prepared.classes.count, seed: 0))
        }
        if cluster.size > 1 { DistributedScoring.broadcastWeights(of: best.network, from: 0, over: cluster) }
        let classifier = ModelFile.classifier(for: best)
        let evaluation = score(prepared.testRows, with: classifier)
        if cluster.rank == 0 { try report.writeConfusion(evaluation.report, title: "\(config.name): test files") }
        guard prepared.classes.count == 2, !prepared.validationRows.isEmpty else { return (evaluation, nil) }
        let validation = score(prepared.validationRows, with: classifier)
        var operatingPoint = OperatingPoint(validation: validation, test: evaluation)
        operatingPoint?.countNegativeGroups(of: validation, in: prepared)
        return (evaluation, operatingPoint)
    }

    /// The files `rows` predicted by `classifier` and scored, over every rank of the cluster.
    func score(_ rows: [Int], with classifier: any ClipClassifier) -> TestEvaluation {
        let cluster = Cluster.current
        guard cluster.size > 1 else {
            return TestEvaluation(predictor: classifier, clips: prepared.clips, rows: rows, labels: prepared.rowLabels)
        }
        let predictions = DistributedScoring.predict(classifier, clips: rows.map { prepared.clips[$0] },
                                                     classes: prepared.classes.count, over: cluster)
        return TestEvaluation(classes: classifier.classes, predictions: predictions, rows: rows,
                              labels: prepared.rowLabels)
    }
}

/// Receives training progress (the executables print it Keras-style).
public protocol TrainingConsole {
    func note(_ text: String)
    func epochStart(_ epoch: Int, of epochs: Int)
    func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double)
    func epochEnd(_ record: EpochRecord, steps: Int, improved: Bool)
    /// A stop signal arrived: no more progress follows, only notes (e.g. end a line drawn in place).
    func stopRequested()
    /// The console for one of several runs of a command (a cross-validation fold, named by its config):
    /// itself, or one that says which run each line is about (`JSONConsole`).
    func forRun(_ name: String) -> TrainingConsole
}

extension TrainingConsole {
    public func stopRequested() {}
    public func forRun(_ name: String) -> TrainingConsole { self }
}

/// Whether a run's epochs wrote the model file (set by its `epochEnd` callback).
final class SavedFlag: @unchecked Sendable {
    var value = false
}
