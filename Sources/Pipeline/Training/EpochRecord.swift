import Foundation

/// One line of history.csv: Keras's `History` for one epoch.
public struct EpochRecord: Equatable, Sendable, Codable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var seconds: Double

    public static let csvHeader = "epoch,loss,accuracy,val_loss,val_accuracy,seconds"

    public var csvLine: String {
        String(format: "%d,%.6f,%.6f,%.6f,%.6f,%.3f",
               epoch, loss, accuracy, validationLoss, validationAccuracy, seconds)
    }
}
