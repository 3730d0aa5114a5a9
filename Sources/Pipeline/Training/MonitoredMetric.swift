/// The validation figure a training callback watches (Keras's `monitor`): the validation accuracy
/// (higher is better; the figure that also chooses the saved model) or the validation loss (lower is
/// better; without class weights, as Keras's `val_loss`).
public enum MonitoredMetric: String, Sendable, CaseIterable {
    case valAccuracy = "val_accuracy"
    case valLoss = "val_loss"

    /// Its value in an epoch's record (NaN without validation windows).
    public func value(in record: EpochRecord) -> Double {
        self == .valAccuracy ? record.validationAccuracy : record.validationLoss
    }

    /// Whether larger values are better (Keras's mode "max").
    public var higherIsBetter: Bool { self == .valAccuracy }

    /// The best value before any epoch (Keras's initial `best`).
    public var worst: Double { higherIsBetter ? -.infinity : .infinity }
}
