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

    public init(config: ExperimentConfig, data: DataFolder, prepared: PreparedData) {
        self.config = config; self.data = data; self.prepared = prepared
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
    }

    /// Replicas that share each batch: one per core (EARMARK_THREADS overrides; 1 disables), at
    /// most one per 8 examples of a batch. Results are exactly reproducible for a fixed count.
    static func replicaCount(batchSize: Int) -> Int {
        let requested = ProcessInfo.processInfo.environment["EARMARK_THREADS"].flatMap { Int($0) }
            ?? ProcessInfo.processInfo.activeProcessorCount
        return max(1, min(requested, batchSize / 8))
    }

    func makeOptimizer() -> Optimizer {
        let t = config.training
        switch t.optimizer {
        case .adam: return Adam(learningRate: Float(t.learningRate), beta1: Float(t.beta1), beta2: Float(t.beta2), epsilon: Float(t.epsilon))
        case .sgd: return SGD(learningRate: Float(t.learningRate), momentum: Float(t.momentum), nesterov: t.nesterov)
        }
    }

    /// Trains for `config.training.epochs` epochs (continuing a checkpoint when `resume`).
    /// `console` receives Keras-style progress; `shouldStop` is polled after every step.
    public func run(resume: Bool, console: TrainingConsole, shouldStop: @escaping () -> Bool) throws -> Summary {
        let classes = prepared.classes
        let seed = UInt64(config.training.seed)
        let network = try config.makeModel(classes: classes.count, seed: seed)
        console.note(network.summary())
        let optimizer = makeOptimizer()
        let weights = config.training.classWeight == .balanced
            ? WindowSampler.classWeights(labels: prepared.train.labels.map(Int.init), classCount: classes.count).map(Float.init) : nil
        let replicas = Self.replicaCount(batchSize: config.training.batchSize)
        let parallel = replicas > 1
            ? DataParallel(replicas: [network] + (try (1..<replicas).map { _ in try config.makeModel(classes: classes.count, seed: seed) }))
            : nil
        let trainer = Trainer(model: network, optimizer: optimizer, loss: SoftmaxCrossEntropy(classWeights: weights),
                              batchSize: config.training.batchSize, shuffle: config.training.shuffle, seed: seed,
                              parallel: parallel)
        var model = TrainedModel(config: config, classes: classes, featureMin: prepared.featureMin,
                                 featureMax: prepared.featureMax, splits: prepared.splitNames, network: network)
        let checkpointURL = data.checkpoint(config.name), bestURL = data.model(config.name)
        if resume {
            if FileManager.default.fileExists(atPath: checkpointURL.path) {
                let loaded = try TrainedModel.load(from: checkpointURL)
                guard loaded.model.config.configHash == config.configHash else {
                    throw DataError(file: data.display(checkpointURL), problem: "was made with another config",
                                    hint: "remove it or train without --resume")
                }
                for (mine, theirs) in zip(network.parameters, loaded.model.network.parameters) { mine.value = theirs.value }
                try optimizer.restore(loaded.optimizerState, for: network.parameters)
                trainer.state = loaded.trainingState ?? TrainingState()
                console.note("resuming \(config.name) at epoch \(trainer.state.epoch + 1), step \(trainer.state.nextStep + 1)")
            } else {
                console.note("no checkpoint at \(data.display(checkpointURL)): starting from the beginning")
            }
        }
        let report = RunReport(folder: data.run(config.name))
        var events = TrainingEvents()
        let epochs = config.training.epochs
        var announced = -1
        events.step = { epoch, step, steps, loss, accuracy, perStep in
            if epoch != announced { announced = epoch; console.epochStart(epoch + 1, of: epochs) }
            console.step(step + 1, of: steps, loss: loss, accuracy: accuracy, secondsPerStep: perStep)
        }
        events.epochEnd = { record, improved in
            console.epochEnd(record, steps: (prepared.train.count + config.training.batchSize - 1) / config.training.batchSize,
                             improved: improved)
            model.epoch = record.epoch
            if improved { try model.save(to: bestURL) }
            try report.writeHistory(trainer.state.history, title: config.name)
        }
        events.checkpoint = { try model.save(to: checkpointURL, optimizer: optimizer, trainingState: trainer.state) }
        events.shouldStop = shouldStop
        let outcome = try trainer.run(train: prepared.train, validation: prepared.validation, epochs: epochs, events: events)
        model.network = network
        let history = trainer.state.history
        let seconds = history.map(\.seconds).reduce(0, +)
        var summary = Summary(outcome: outcome, history: history, parameters: network.parameterCount,
                              bestValidationAccuracy: trainer.state.bestValidationAccuracy, test: nil,
                              trainingWindowsPerSecond: seconds > 0 ? Double(prepared.train.count * history.count) / seconds : .nan,
                              secondsPerEpoch: history.isEmpty ? .nan : seconds / Double(history.count),
                              modelURL: bestURL, reportFolder: report.folder)
        guard outcome == .finished else { return summary }
        let best = try TrainedModel.load(from: bestURL).model
        if !prepared.testRows.isEmpty {
            let evaluation = TestEvaluation(predictor: Predictor(model: best), clips: prepared.clips,
                                            rows: prepared.testRows, labels: prepared.rowLabels)
            summary.test = evaluation
            try report.writeConfusion(evaluation.report, title: "\(config.name): test files")
        }
        try report.writeMarkdown(ReportText.markdown(config: config, data: data, prepared: prepared, summary: summary))
        return summary
    }
}

/// Receives training progress (the executables print it Keras-style).
public protocol TrainingConsole {
    func note(_ text: String)
    func epochStart(_ epoch: Int, of epochs: Int)
    func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double)
    func epochEnd(_ record: EpochRecord, steps: Int, improved: Bool)
}
