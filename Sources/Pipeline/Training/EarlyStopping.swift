import Foundation

/// `training.early_stopping`: Keras's `EarlyStopping(monitor="val_accuracy", mode="max", patience,
/// min_delta)`, watching the validation accuracy that also chooses the saved model (so the model kept
/// is the best epoch's, as with `restore_best_weights=True`).
///
/// After each epoch: an epoch improves when its validation accuracy minus `minDelta` is above the best
/// so far (the first epoch always does); training stops once `patience` epochs in a row have not
/// improved. The decision is a function of the history alone, so a resumed run (or every rank of a
/// multi-rank run, whose validation accuracies are gathered) stops after the same epoch.
public struct EarlyStopping: Equatable, Sendable {
    /// Epochs without improvement after which training stops (0: at the first such epoch).
    public var patience: Int
    /// The least rise of the validation accuracy that counts as an improvement (a fraction, 0.01 = one
    /// point).
    public var minDelta: Double

    public init(patience: Int, minDelta: Double = 0) {
        precondition(patience >= 0 && minDelta >= 0, "EarlyStopping: patience \(patience), min_delta \(minDelta)")
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Why training stops after the last epoch of a history.
    public struct Verdict: Equatable, Sendable {
        /// The 1-based epoch after which training stops (the history's last).
        public var stoppedAfter: Int
        /// The 1-based epoch of the last improvement.
        public var lastImprovement: Int

        public init(stoppedAfter: Int, lastImprovement: Int) {
            self.stoppedAfter = stoppedAfter; self.lastImprovement = lastImprovement
        }
    }

    /// The verdict when the epochs of `history` call for a stop after its last epoch, else nil.
    /// Epochs without a finite validation accuracy (no validation windows) neither improve nor count.
    public func verdict(history: [EpochRecord]) -> Verdict? {
        var best = -Double.infinity, lastImprovement = 0, wait = 0
        for record in history where record.validationAccuracy.isFinite {
            wait += 1
            if record.validationAccuracy - minDelta > best {
                best = record.validationAccuracy
                lastImprovement = record.epoch
                wait = 0
            }
        }
        guard wait > 0, wait >= patience, let last = history.last else { return nil }
        return Verdict(stoppedAfter: last.epoch, lastImprovement: lastImprovement)
    }
}
