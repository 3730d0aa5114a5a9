import Foundation

/// `training.reduce_lr_on_plateau`: Keras's `ReduceLROnPlateau(monitor, mode, factor, patience,
/// min_delta, cooldown, min_lr)`, by default watching the validation accuracy.
///
/// After each epoch: the epoch improves when its value beats the best by more than `minDelta` (accuracy
/// > best + minDelta, or loss < best - minDelta); otherwise, outside a cooldown, it counts; after
/// `patience` such epochs the learning rate becomes max(rate x factor, minLearningRate) (when it is
/// still above `minLearningRate`), and `cooldown` epochs follow in which nothing counts. The rate is
/// replayed from the history alone, so a resumed run (and every rank) trains each epoch with the rate
/// the uninterrupted run used; like Keras's, it is held as a float32.
public struct ReduceLROnPlateau: Equatable, Sendable {
    /// The figure watched.
    public var monitor: MonitoredMetric
    /// What the learning rate is multiplied by at each reduction, in (0, 1).
    public var factor: Double
    /// Epochs without improvement (outside a cooldown) before a reduction.
    public var patience: Int
    /// The least change of the figure that counts as an improvement.
    public var minDelta: Double
    /// Epochs after a reduction during which epochs without improvement do not count.
    public var cooldown: Int
    /// The learning rate is never reduced below this.
    public var minLearningRate: Double

    public init(factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4, cooldown: Int = 0,
                minLearningRate: Double = 0, monitor: MonitoredMetric = .valAccuracy) {
        precondition(factor > 0 && factor < 1 && patience >= 0 && minDelta >= 0 && cooldown >= 0
                     && minLearningRate >= 0, "ReduceLROnPlateau: invalid settings")
        self.factor = factor; self.patience = patience; self.minDelta = minDelta
        self.cooldown = cooldown; self.minLearningRate = minLearningRate; self.monitor = monitor
    }

    /// The learning rate after each epoch of `history`, starting from `initial`; the last one is the
    /// rate of the next epoch (`initial` for an empty history). Epochs without a finite value (no
    /// validation windows) change nothing, as Keras skips a missing metric.
    public func learningRates(initial: Float, history: [EpochRecord]) -> [Float] {
        var rate = initial, best = monitor.worst, wait = 0, cooldownLeft = 0
        var rates: [Float] = []
        for record in history {
            let value = monitor.value(in: record)
            if value.isFinite {
                if cooldownLeft > 0 {
                    cooldownLeft -= 1
                    wait = 0
                }
                let improved = monitor.higherIsBetter ? value > best + minDelta : value < best - minDelta
                if improved {
                    best = value
                    wait = 0
                } else if cooldownLeft == 0 {
                    wait += 1
                    if wait >= patience {
                        // Keras: old_lr > float32(min_lr), then max(old_lr * factor, min_lr) in doubles,
                        // assigned to the float32 rate
                        if Double(rate) > Double(Float(minLearningRate)) {
                            rate = Float(max(Double(rate) * factor, minLearningRate))
                            cooldownLeft = cooldown
                            wait = 0
                        }
                    }
                }
            }
            rates.append(rate)
        }
        return rates
    }

    /// The learning rate of the epoch after `history`.
    public func learningRate(initial: Float, history: [EpochRecord]) -> Float {
        learningRates(initial: initial, history: history).last ?? initial
    }
}
