import Foundation

/// Prints training progress the way Keras's `fit(verbose=1)` does:
///
///     Epoch 3/10
///     281/281 [==============================] - 4s 13ms/step - loss: 0.4210 - accuracy: 0.8512
///         - val_loss: 0.3903 - val_accuracy: 0.8731
///
/// (the second line continues the first: one line per epoch on the console).
/// On a terminal the bar is redrawn in place; otherwise only the final line of each epoch is printed.
public final class KerasConsole: TrainingConsole {
    private let line = ProgressLine()
    public init() {}

    public func note(_ text: String) { print(text) }

    public func epochStart(_ epoch: Int, of epochs: Int) { print("Epoch \(epoch)/\(epochs)") }

    public func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {
        line.update("\(step)/\(steps) \(ProgressLine.bar(step, of: steps)) - ETA: "
                    + ProgressLine.duration(secondsPerStep * Double(steps - step))
                    + String(format: " - loss: %.4f - accuracy: %.4f", loss, accuracy), force: step == steps)
    }

    public func stopRequested() { line.end() }

    public func epochEnd(_ r: EpochRecord, steps: Int, improved: Bool) {
        let perStep = steps > 0 ? r.seconds / Double(steps) : 0
        line.finish("\(steps)/\(steps) \(ProgressLine.bar(steps, of: steps)) - \(ProgressLine.duration(r.seconds)) "
                    + "\(ProgressLine.duration(perStep))/step"
                    + String(format: " - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
                             r.loss, r.accuracy, r.validationLoss, r.validationAccuracy)
                    + (improved ? " (saved)" : ""))
    }
}
