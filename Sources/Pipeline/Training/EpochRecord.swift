import Foundation

/// One line of history.csv: Keras's `History` for one epoch.
public struct EpochRecord: Equatable, Sendable, Codable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var seconds: Double

    public init(epoch: Int, loss: Double, accuracy: Double, validationLoss: Double, validationAccuracy: Double,
                seconds: Double) {
        self.epoch = epoch; self.loss = loss; self.accuracy = accuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy; self.seconds = seconds
    }

    public static let csvHeader = "epoch,loss,accuracy,val_loss,val_accuracy,seconds"

    public var csvLine: String {
        String(format: "%d,%.6f,%.6f,%.6f,%.6f,%.3f",
               epoch, loss, accuracy, validationLoss, validationAccuracy, seconds)
    }
}
