import Foundation

/// Training progress for `train --json`: one `{"event": "epoch", ...}` line per epoch (the
/// history.csv record, Keras's key names, and whether the model was saved as the best so far).
/// Steps and notes are not reported.
public final class JSONConsole: TrainingConsole {
    private let output: ScriptOutput
    private var epochs = 0

    public init(output: ScriptOutput) { self.output = output }

    public func note(_ text: String) {}

    public func epochStart(_ epoch: Int, of epochs: Int) { self.epochs = epochs }

    public func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {}

    public func epochEnd(_ r: EpochRecord, steps: Int, improved: Bool) {
        output.json(["event": "epoch", "epoch": r.epoch, "epochs": epochs, "steps": steps, "loss": r.loss,
                     "accuracy": r.accuracy, "val_loss": r.validationLoss, "val_accuracy": r.validationAccuracy,
                     "seconds": r.seconds, "best": improved])
    }
}

/// Training progress for `train --quiet`: nothing.
public struct SilentConsole: TrainingConsole {
    public init() {}
    public func note(_ text: String) {}
    public func epochStart(_ epoch: Int, of epochs: Int) {}
    public func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {}
    public func epochEnd(_ record: EpochRecord, steps: Int, improved: Bool) {}
}
