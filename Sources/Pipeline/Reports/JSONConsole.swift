import Foundation

/// Training progress for `train --json`: one `{"event": "epoch", ...}` line per epoch (the
/// history.csv record, Keras's key names, and whether the model was saved as the best so far; with
/// `--folds`, `run` names the fold's config, `tiny.fold2`, or the final model's, `tiny`).
/// Steps and notes are not reported.
public final class JSONConsole: TrainingConsole {
    private let output: ScriptOutput
    private let run: String?
    private var epochs = 0

    public init(output: ScriptOutput, run: String? = nil) { self.output = output; self.run = run }

    public func forRun(_ name: String) -> TrainingConsole { JSONConsole(output: output, run: name) }

    public func note(_ text: String) {}

    public func epochStart(_ epoch: Int, of epochs: Int) { self.epochs = epochs }

    public func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {}

    public func epochEnd(_ r: EpochRecord, steps: Int, improved: Bool) {
        var event: [String: Any] = ["event": "epoch", "epoch": r.epoch, "epochs": epochs, "steps": steps,
                                    "loss": r.loss, "accuracy": r.accuracy, "val_loss": r.validationLoss,
                                    "val_accuracy": r.validationAccuracy, "seconds": r.seconds, "best": improved]
        if let run { event["run"] = run }
        output.json(event)
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
