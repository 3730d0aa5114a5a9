import Foundation

/// The final result of `train` in the script output modes: one line (`--quiet`) or one JSON object
/// (`--json`, `"event": "result"`).
extension TrainingRun.Summary {
    /// `conv: test file accuracy 93.3% (14/15 files), model models/conv.safetensors` (or `stopped`, or
    /// `no held-out test files`).
    public func resultLine(name: String, data: DataFolder) -> String {
        guard outcome == .finished else { return "\(name): stopped; continue with --resume" }
        // the final model of --folds has no test files of its own: the folds' estimate is its result
        let folds = crossValidation.map { $0.line }
        let test = self.test.map {
            String(format: "test file accuracy %.1f%% (%d/%d files)",
                   $0.report.accuracy * 100, $0.report.correct, $0.report.total)
        } ?? folds ?? "no held-out test files"
        let diverged = nonFiniteLoss.map { "diverged (loss \($0.loss) at epoch \($0.epoch + 1), step \($0.step + 1)); " } ?? ""
        return "\(name): \(diverged)\(test), model \(data.display(modelURL))"
    }

    /// The result object: config name, outcome, epochs run (and `early_stopping` when training stopped
    /// early, the final `learning_rate` with a schedule), parameters, best validation accuracy,
    /// the test results (null when there are no test files) and the model and report paths.
    public func resultJSON(name: String, data: DataFolder) -> [String: Any] {
        var object: [String: Any] = [
            "event": "result", "config": name,
            "outcome": nonFiniteLoss != nil ? "diverged" : outcome == .finished ? "finished" : "interrupted",
            "epochs": history.count, "parameters": parameters, "best_val_accuracy": bestValidationAccuracy,
            "model": data.display(modelURL),
            "report": data.display(reportFolder.appendingPathComponent("report.md")),
        ]
        if let rates = learningRates, let last = rates.last { object["learning_rate"] = Double(last) }
        if let stop = earlyStop {
            object["early_stopping"] = ["stopped_after": stop.stoppedAfter, "last_improvement": stop.lastImprovement]
        }
        if let t = test {
            var result: [String: Any] = ["file_accuracy": t.report.accuracy, "files": t.report.total,
                                         "correct": t.report.correct, "window_accuracy": t.windowAccuracy,
                                         "classes": t.classes]
            if let roc = t.roc() { result["roc_auc"] = roc.auc }
            if let op = operatingPoint { result["operating_point"] = op.json(classes: t.classes) }
            object["test"] = result
        } else {
            object["test"] = NSNull()
        }
        if let cv = crossValidation {
            let (mean, sd) = cv.accuracy
            var folds: [String: Any] = ["folds": cv.folds.count, "test_file_accuracy_mean": mean,
                                        "test_file_accuracy_sd": sd]
            if let op = cv.operatingPoint { folds["operating_point"] = op.json(classes: cv.classes) }
            object["cross_validation"] = folds
        }
        return object
    }
}

extension PredictWorkflow.ClipPrediction {
    /// `predict --json`'s object for one clip: `{"event": "clip", "file", "prediction", "probability",
    /// "probabilities": {class: p}}` (null prediction and probabilities when the clip was not
    /// predicted), plus `label` and `split` for the files of audio.csv.
    public var json: [String: Any] {
        var object: [String: Any] = ["event": "clip", "file": file, "prediction": prediction ?? NSNull()]
        if let p = probabilities {
            object["probabilities"] = Dictionary(uniqueKeysWithValues: zip(classes, p.map(Double.init)))
            object["probability"] = prediction.flatMap { classes.firstIndex(of: $0) }.map { Double(p[$0]) }
                ?? NSNull()
        } else {
            object["probabilities"] = NSNull()
            object["probability"] = NSNull()
        }
        if let label { object["label"] = label }
        if let split { object["split"] = split }
        return object
    }
}
