import Foundation

/// `training.early_stopping`: Keras's `EarlyStopping(monitor, mode, patience, min_delta)`, by default
/// watching the validation accuracy that also chooses the saved model (the model kept is the best
/// validation accuracy's epoch, as with `restore_best_weights=True` on that figure).
///
/// After each epoch: an epoch improves when its value, moved by `minDelta` against the better
/// direction (accuracy - minDelta > best, or loss + minDelta < best), beats the best so far (the first
/// epoch always does); training stops once `patience` epochs in a row have not improved. The decision is a function of the history alone, so a resumed run (or every rank of a
/// multi-rank run, whose validation accuracies are gathered) stops after the same epoch.
public struct EarlyStopping: Equatable, Sendable {
    /// The figure watched.
    public var monitor: MonitoredMetric
    /// Epochs without improvement after which training stops (0: at the first such epoch).
    public var patience: Int
    /// The least change of the figure that counts as an improvement (for the accuracy a fraction,
    /// 0.01 = one point).
    public var minDelta: Double

    public init(patience: Int, minDelta: Double = 0, monitor: MonitoredMetric = .valAccuracy) {
        precondition(patience >= 0 && minDelta >= 0, "EarlyStopping: patience \(patience), min_delta \(minDelta)")
        self.patience = patience
        self.minDelta = minDelta
        self.monitor = monitor
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
    /// Epochs without a finite value (no validation windows) neither improve nor count.
    public func verdict(history: [EpochRecord]) -> Verdict? {
        var best = monitor.worst, lastImprovement = 0, wait = 0
        for record in history {
            let value = monitor.value(in: record)
            guard value.isFinite else { continue }
            wait += 1
            // Keras: monitor_op(value - min_delta, best), min_delta negated for a figure to minimise
            let improved = monitor.higherIsBetter ? value - minDelta > best : value - (-minDelta) < best
            if improved {
                best = value
                lastImprovement = record.epoch
                wait = 0
            }
        }
        guard wait > 0, wait >= patience, let last = history.last else { return nil }
        return Verdict(stoppedAfter: last.epoch, lastImprovement: lastImprovement)
    }
}
