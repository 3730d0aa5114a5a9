import Foundation
import Layers
import Tensor

/// Where a run stands; saved in checkpoints so that `--resume` continues exactly.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Current epoch, 0-based.
    public var epoch = 0
    /// Next step within the epoch.
    public var nextStep = 0
    /// Running sums of the current epoch.
    public var lossSum = 0.0, correct = 0, seen = 0, secondsInEpoch = 0.0
    public var history: [EpochRecord] = []
    /// The validation accuracy of the saved model's epoch (-1 before the first epoch ends): the best so far
    /// with the default `ModelCheckpoint`.
    public var bestValidationAccuracy = -1.0
    public init() {}

    /// What makes this state impossible for a run of `epochs` epochs of `stepsPerEpoch` steps, or nil:
    /// a checkpoint's `training_state` is read as JSON only, and a damaged one (a negative step, an
    /// epoch beyond the run, a history of another length) trapped in the trainer or resumed wrongly.
    public func problem(epochs: Int, stepsPerEpoch: Int) -> String? {
        if !(0...epochs).contains(epoch) { return "epoch \(epoch) is not within 0...\(epochs)" }
        if !(0...stepsPerEpoch).contains(nextStep) {
            return "nextStep \(nextStep) is not within 0...\(stepsPerEpoch) (steps per epoch)"
        }
        if history.count != epoch { return "history has \(history.count) epochs, not \(epoch)" }
        if seen < 0 || !(0...max(seen, 0)).contains(correct) {
            return "correct \(correct) of seen \(seen) is impossible"
        }
        if !lossSum.isFinite || !secondsInEpoch.isFinite || secondsInEpoch < 0 {
            return "the running loss or time is not a finite number"
        }
        if !(bestValidationAccuracy == -1 || (0...1).contains(bestValidationAccuracy)) {
            return "bestValidationAccuracy \(bestValidationAccuracy) is not an accuracy"
        }
        return nil
    }
}

/// Why `Trainer.run` returned.
public enum TrainingOutcome: Equatable, Sendable {
    case finished
    /// A stop was requested (Ctrl-C, SIGTERM): the state after the last whole step is checkpointed.
    case interrupted
}

extension Trainer {
    /// For tests of a diverging run: `EARMARK_NAN_LOSS_AT=N` makes the loss of the N-th step of the run
    /// (counted from 1 over the epochs) NaN, as a learning rate that blows up would, at a step chosen
    /// exactly (a real divergence depends on the data and the CPU's arithmetic). Unset: 0, never.
    static let nanLossAtStep = ProcessInfo.processInfo.environment["EARMARK_NAN_LOSS_AT"].flatMap { Int($0) } ?? 0
}

/// A training loss that is NaN or infinite: training stops, the last good files are kept.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    public let epoch: Int, step: Int, loss: Double
    /// What was kept, as the caller that wrote the files knows it.
    public var kept = "the last good checkpoint and best model are kept"
    public init(epoch: Int, step: Int, loss: Double) { self.epoch = epoch; self.step = step; self.loss = loss }
    public var description: String {
        "loss became \(loss) at epoch \(epoch + 1), step \(step + 1); training stopped, \(kept) "
            + "(try a lower learning_rate)"
    }
}

/// Callbacks of a training run (printing and file writing stay with the caller).
public struct TrainingEvents {
    /// After every step: epoch, step, steps per epoch, mean loss and accuracy so far, seconds per step.
    public var step: (_ epoch: Int, _ step: Int, _ steps: Int, _ loss: Double, _ accuracy: Double,
                      _ secondsPerStep: Double) -> Void = { _, _, _, _, _, _ in }
    /// After every epoch; `improved` means the epoch replaces the saved model (`Trainer.modelCheckpoint`).
    public var epochEnd: (_ record: EpochRecord, _ improved: Bool) throws -> Void = { _, _ in }
    /// Writes a checkpoint of the trainer's current state (after every epoch and on interruption).
    public var checkpoint: () throws -> Void = {}
    /// Polled after every step: true stops the run after that step.
    public var shouldStop: () -> Bool = { false }
    /// Before an epoch whose learning rate a schedule lowered: the epoch (1-based) after which it
    /// changed and the new rate.
    public var learningRateChanged: (_ afterEpoch: Int, _ rate: Float) -> Void = { _, _ in }
    public init() {}
}

/// The training loop: shuffled mini-batches, Adam/SGD on the weighted cross-entropy, validation
/// after each epoch. Every random draw is a function of (seed, epoch, step): the shuffle of epoch e
/// and the dropout masks of each step, so stopping and resuming gives the same weights.
/// Every step and every validation pass runs on `engine` (one replica or several sharing each batch).
public final class Trainer {
    /// Runs the steps and the validation passes; its replica 0 is `model`.
    public let engine: TrainingEngine
    /// The model being trained.
    public var model: Sequential { engine.model }
    public let optimizer: Optimizer
    public let loss: SoftmaxCrossEntropy
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public var state = TrainingState()
    /// Changes every training batch before its step (the config's `augmentation:`); nil: none. Its
    /// per-example work runs on the engine's threads (`BatchAugmentation.spread(over:)`).
    public var augmentation: BatchAugmentation? {
        didSet { augmentation?.spread(over: engine.parallelLoop) }
    }
    /// Ends the run before `epochs` when the watched validation figure stops improving (the config's
    /// `training.early_stopping`); nil: every epoch runs.
    public var earlyStopping: EarlyStopping?
    /// Lowers the learning rate when the watched figure stops improving (the config's
    /// `training.reduce_lr_on_plateau`); each epoch's rate is replayed from the history, starting from
    /// `initialLearningRate`. nil: the rate never changes.
    public var reduceLearningRate: ReduceLROnPlateau?
    /// Which epochs replace the saved model (the config's `training.model_checkpoint`; by default each
    /// new best validation accuracy).
    public var modelCheckpoint = ModelCheckpoint()
    /// The optimizer's learning rate when the trainer was made (the config's).
    public let initialLearningRate: Float

    // buffers reused by every step (a rank's shard with several ranks)
    var batch = Tensor.empty
    var batchLabels: [Int32] = []

    /// A trainer whose steps run on `engine` (its replica 0 is the model trained).
    public init(engine: TrainingEngine, optimizer: Optimizer, loss: SoftmaxCrossEntropy, batchSize: Int,
                shuffle: Bool = true, seed: UInt64) {
        precondition(batchSize > 0, "Trainer: batch size \(batchSize)")
        self.engine = engine; self.optimizer = optimizer; self.loss = loss
        self.batchSize = batchSize; self.shuffle = shuffle; self.seed = seed
        initialLearningRate = optimizer.learningRate
    }

    /// A trainer of `model` alone (an engine of one replica: the serial loop on the caller's thread).
    public convenience init(model: Sequential, optimizer: Optimizer, loss: SoftmaxCrossEntropy, batchSize: Int,
                            shuffle: Bool = true, seed: UInt64) {
        self.init(engine: TrainingEngine(replicas: [model]), optimizer: optimizer, loss: loss,
                  batchSize: batchSize, shuffle: shuffle, seed: seed)
    }

    /// The order of the training windows in `epoch`: a seeded Fisher-Yates shuffle (or 0..<count).
    public func order(epoch: Int, count: Int) -> [Int] {
        var indices = Array(0..<count)
        guard shuffle else { return indices }
        var rng = RandomGenerator(seed: seed ^ (UInt64(epoch + 1) &* 0xD1B5_4A32_D192_ED03))
        for i in stride(from: count - 1, to: 0, by: -1) {
            indices.swapAt(i, rng.nextInt(below: i + 1))
        }
        return indices
    }

    /// One optimisation step on a batch (`TrainingEngine.step`).
    /// - Returns: the batch's mean loss and its number of correct predictions.
    /// `targets` (N, K): soft targets for the loss (mixup), else the labels' one-hot rows.
    public func step(_ x: Tensor, labels: [Int32], targets: Tensor? = nil) -> (loss: Double, correct: Int) {
        engine.step(x, labels: labels, targets: targets, loss: loss, optimizer: optimizer)
    }

    /// Mean loss (without class weights, with the loss's label smoothing, as Keras's val_loss) and
    /// accuracy of the model on `set`,
    /// inferred in batches of at least 256 windows (with several ranks each infers its shard of the
    /// windows and the probabilities are gathered).
    public func evaluate(_ set: WindowSet) -> (loss: Double, accuracy: Double) {
        guard set.count > 0 else { return (.nan, .nan) }
        let p = engine.collective.size > 1
            ? distributedPredict(set.x)
            : engine.predict(set.x, batchSize: max(batchSize, 256))
        var scratch = Tensor.empty
        let r = SoftmaxCrossEntropy(labelSmoothing: loss.labelSmoothing)
            .evaluate(probabilities: p, labels: set.labels, preActivationGradient: &scratch)
        return (r.loss, Double(r.correct) / Double(set.count))
    }

    /// Trains until `epochs` epochs are done, `earlyStopping` calls for a stop (checked before each epoch,
    /// from the history: a resumed run stops where the uninterrupted one did) or a stop is requested,
    /// continuing from `state`.
    /// `epochSet`, when given, supplies each epoch's training windows (as many as `train` holds,
    /// a function of the epoch alone, so that a resumed run sees the same ones); else every epoch
    /// uses `train`.
    public func run(train first: WindowSet, validation: WindowSet, epochs: Int, events: TrainingEvents,
                    epochSet: ((Int) -> WindowSet)? = nil) throws -> TrainingOutcome {
        precondition(first.count > 0, "Trainer.run: no training windows")
        engine.broadcastWeights()   // the replicas start from the model's (possibly restored) weights
        let steps = (first.count + batchSize - 1) / batchSize
        while state.epoch < epochs {
            if let earlyStopping, earlyStopping.verdict(history: state.history) != nil { break }
            if let reduceLearningRate {
                let rates = reduceLearningRate.learningRates(initial: initialLearningRate, history: state.history)
                let rate = rates.last ?? initialLearningRate
                // announced once, before the epoch's first step (not again when resuming inside it)
                if rate != rates.dropLast().last ?? initialLearningRate, state.nextStep == 0,
                   let last = state.history.last {
                    events.learningRateChanged(last.epoch, rate)
                }
                optimizer.learningRate = rate
            }
            let train = epochSet?(state.epoch) ?? first
            precondition(train.count == first.count,
                         "Trainer.run: epoch \(state.epoch) has \(train.count) windows, not \(first.count)")
            let order = self.order(epoch: state.epoch, count: train.count)
            var clock = Date()
            var stopRequested = false       // polled once per step; after the last step it ends the epoch
            while state.nextStep < steps {
                let s = state.nextStep
                let slice = order[(s * batchSize)..<min((s + 1) * batchSize, train.count)]
                let stepSeed = seed ^ (UInt64(state.epoch) << 32 | UInt64(s)) &* 0xBF58_476D_1CE4_E5B9
                engine.reseed(stepSeed)
                var r: (loss: Double, correct: Int), stop: Bool?
                if engine.collective.size > 1 {
                    (r, stop) = distributedStep(slice, of: train, epoch: state.epoch, step: s,
                                                shouldStop: events.shouldStop)
                } else {
                    train.gather(slice, into: &batch, labels: &batchLabels)
                    let targets = augmentation?.augment(&batch, labels: &batchLabels, indices: slice,
                                                        epoch: state.epoch, step: s)
                    r = step(batch, labels: batchLabels, targets: targets)
                    stop = nil
                }
                if Self.nanLossAtStep == state.epoch * steps + s + 1 { r.loss = .nan }   // a test's divergence
                guard r.loss.isFinite else { throw NonFiniteLossError(epoch: state.epoch, step: s, loss: r.loss) }
                state.lossSum += r.loss * Double(slice.count)
                state.correct += r.correct
                state.seen += slice.count
                state.nextStep += 1
                let now = Date()
                state.secondsInEpoch += now.timeIntervalSince(clock)
                clock = now
                events.step(state.epoch, s, steps, state.lossSum / Double(state.seen),
                            Double(state.correct) / Double(state.seen), state.secondsInEpoch / Double(state.nextStep))
                stopRequested = stop ?? events.shouldStop()
                if stopRequested && state.nextStep < steps {
                    try events.checkpoint()
                    return .interrupted
                }
            }
            try checkReplicasAgree()
            let v = evaluate(validation)
            let record = EpochRecord(epoch: state.epoch + 1, loss: state.lossSum / Double(state.seen),
                                     accuracy: Double(state.correct) / Double(state.seen),
                                     validationLoss: v.loss, validationAccuracy: v.accuracy,
                                     seconds: state.secondsInEpoch)
            // Without validation windows there is nothing to choose by: every epoch's model replaces the
            // previous one, so the saved model is the last epoch's; the best accuracy stays unknown (-1).
            state.history.append(record)
            let improved = modelCheckpoint.savesLastEpoch(of: state.history)
            if improved && v.accuracy.isFinite { state.bestValidationAccuracy = v.accuracy }
            state.epoch += 1
            state.nextStep = 0
            state.lossSum = 0; state.correct = 0; state.seen = 0; state.secondsInEpoch = 0
            try events.epochEnd(record, improved)
            try events.checkpoint()
            if agreeToStop(stopRequested) && state.epoch < epochs { return .interrupted }
        }
        return .finished
    }
}
