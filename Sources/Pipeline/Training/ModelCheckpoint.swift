import Foundation

/// `training.model_checkpoint`: which epoch's weights are saved as the model, Keras's
/// `ModelCheckpoint(monitor, save_best_only)`. The default is the reference's: the epoch of the best
/// validation accuracy.
///
/// With `saveBestOnly`, an epoch replaces the saved model when its watched value beats every earlier
/// epoch's strictly (Keras's `np.greater` / `np.less` against a best that starts at -inf / +inf: the
/// first epoch always does; ties keep the earlier epoch). Without it every epoch replaces it, so the
/// model is the last epoch's. An epoch without a validation figure (no validation windows) always
/// replaces it: there is nothing to choose by. The decision is a function of the history alone, so a
/// resumed run (or every rank of a multi-rank run) saves the same epochs.
public struct ModelCheckpoint: Equatable, Sendable {
    /// The figure that chooses the saved epoch.
    public var monitor: MonitoredMetric
    /// false: every epoch is saved, the last one is the model kept.
    public var saveBestOnly: Bool

    public init(monitor: MonitoredMetric = .valAccuracy, saveBestOnly: Bool = true) {
        self.monitor = monitor
        self.saveBestOnly = saveBestOnly
    }

    /// Whether the last epoch of `history` replaces the saved model.
    public func savesLastEpoch(of history: [EpochRecord]) -> Bool {
        guard let last = history.last else { return false }
        let value = monitor.value(in: last)
        guard saveBestOnly, value.isFinite else { return true }
        let earlier = history.dropLast().map { monitor.value(in: $0) }.filter(\.isFinite)
        return monitor.higherIsBetter ? earlier.allSatisfy { value > $0 } : earlier.allSatisfy { value < $0 }
    }

    /// The 1-based epoch of `history` whose weights are the saved model (nil for an empty history).
    public func savedEpoch(of history: [EpochRecord]) -> Int? {
        history.indices.last { savesLastEpoch(of: Array(history[...$0])) }.map { history[$0].epoch }
    }
}
