import Foundation
import Tensor
import TestSupport
import XCTest

/// `training.early_stopping`, `training.reduce_lr_on_plateau` and `training.learning_rate_schedule`
/// through `train`: what they do is said on the console, in the report and in the JSON result; after an
/// early stop `--resume` runs no further epoch; a scheduled run killed mid-epoch resumes to the same model.
final class TrainingCallbacksCLITests: XCTestCase {
    /// TinyData's config for `epochs` epochs with `training` lines added to its training section.
    func makeData(epochs: Int, training: String) throws -> URL {
        let root = try makeTemporaryFolder("earmark-callbacks")
        try TinyData.make(in: root, epochs: epochs)
        let cfg = root.appendingPathComponent("cfg/tiny.yaml")
        let text = try String(contentsOf: cfg, encoding: .utf8)
        try text.replacingOccurrences(of: "  batch_size: 16\n", with: "  batch_size: 16\n" + training)
            .write(to: cfg, atomically: true, encoding: .utf8)
        return root
    }

    /// `train --mode tiny` (and `extra` arguments) in `root`, which must succeed.
    func trainTiny(_ root: URL, _ extra: [String] = []) throws -> CLI.Result {
        let r = try CLI.run("train", ["--mode", "tiny"] + extra, in: root)
        XCTAssertEqual(r.status, 0, r.output)
        return r
    }

    /// The `result` object, the last line of a `train --json` run.
    func resultObject(_ run: CLI.Result) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(try XCTUnwrap(run.stdout.split(separator: "\n").last).utf8)) as? [String: Any], run.stdout)
    }

    /// runs/tiny/report.md of `root`.
    func readReport(_ root: URL) throws -> String {
        try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
    }

    func testTrainStopsEarlySaysWhyAndResumeRunsNoFurtherEpoch() throws {
        // min_delta 1: no epoch after the first can improve, so patience 1 stops after epoch 2
        let root = try makeData(epochs: 20, training: "  early_stopping: {patience: 1, min_delta: 1}\n")
        defer { try? FileManager.default.removeItem(at: root) }

        let train = try trainTiny(root)
        XCTAssertTrue(train.stdout.contains("Epoch 2/20"), train.stdout)
        XCTAssertFalse(train.stdout.contains("Epoch 3/20"), train.stdout)
        XCTAssertTrue(train.stdout.contains("early stopping after epoch 2 of 20: no improvement of val_accuracy "
                                            + "since epoch 1"), train.stdout)
        XCTAssertTrue(train.stdout.contains("test: file-level accuracy"), train.stdout)
        let history = root.appendingPathComponent("runs/tiny/history.csv")
        XCTAssertEqual(try String(contentsOf: history, encoding: .utf8).split(separator: "\n").count, 3)
        let report = try readReport(root)
        XCTAssertTrue(report.contains("; 2 epochs (early stopping: no improvement of the validation accuracy after "
                                      + "epoch 1), "), report)

        let resumed = try trainTiny(root, ["--resume", "--json"])
        let events = try resumed.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertTrue(events.filter { $0["event"] as? String == "epoch" }.isEmpty, resumed.stdout)
        let result = try XCTUnwrap(events.last)
        XCTAssertEqual(result["outcome"] as? String, "finished")
        XCTAssertEqual(result["epochs"] as? Int, 2)
        let stop = try XCTUnwrap(result["early_stopping"] as? [String: Int], resumed.stdout)
        XCTAssertEqual(stop, ["stopped_after": 2, "last_improvement": 1])
        XCTAssertEqual(try String(contentsOf: history, encoding: .utf8).split(separator: "\n").count, 3)
    }

    func testTrainLowersTheLearningRateAndSaysWhen() throws {
        // min_delta 1: no epoch after the first improves, so patience 1 halves the rate after epochs 2, 3, 4
        let root = try makeData(epochs: 4, training: "  reduce_lr_on_plateau: {factor: 0.5, patience: 1, min_delta: 1}\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = try trainTiny(root)
        XCTAssertTrue(train.stdout.contains("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0005.\nEpoch 3/4"),
                      train.stdout)
        XCTAssertTrue(train.stdout.contains("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.00025.\nEpoch 4/4"),
                      train.stdout)
        let report = try readReport(root)
        XCTAssertTrue(report.contains(" training windows/s; learning rate 0.001, reduced after epochs 2, 3, 4 to 0.000125\n"),
                      report)
        let result = try resultObject(try trainTiny(root, ["--json"]))
        XCTAssertEqual(try XCTUnwrap(result["learning_rate"] as? Double), Double(Float(0.000125)), accuracy: 1e-12)
    }

    func testEarlyStoppingOnTheValidationLossSaysSo() throws {
        // min_delta 1: no later epoch lowers the loss by more than 1, so patience 1 stops after epoch 2
        let root = try makeData(epochs: 6, training: "  early_stopping: {monitor: val_loss, patience: 1, min_delta: 1}\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = try trainTiny(root)
        XCTAssertTrue(train.stdout.contains("early stopping after epoch 2 of 6: no improvement of val_loss since epoch 1"),
                      train.stdout)
        let report = try readReport(root)
        XCTAssertTrue(report.contains("; 2 epochs (early stopping: no improvement of the validation loss after epoch 1), "),
                      report)
    }

    /// A polynomial decay without decay_steps spans the 2 x 7 updates of the tiny run: the last update
    /// (step 13) has rate 0.0009 * (1 - 13/14) + 0.0001. Killed at its 10th update and resumed, the run
    /// continues the schedule from the checkpoint's update count and saves the uninterrupted run's model,
    /// which differs from the model of a constant rate.
    func testScheduledRateIsReportedAndResumesWhereItStopped() throws {
        let schedule = "  learning_rate_schedule: {kind: polynomial_decay, end_learning_rate: 0.0001}\n"
        let root = try makeData(epochs: 2, training: schedule)
        defer { try? FileManager.default.removeItem(at: root) }
        let pristine = try makeData(epochs: 2, training: schedule)
        defer { try? FileManager.default.removeItem(at: pristine) }
        let result = try resultObject(try trainTiny(root, ["--json"]))
        let last = Float(0.0009) * (1 - Float(13) / 14) + Float(0.0001)
        XCTAssertEqual(try XCTUnwrap(result["learning_rate"] as? Double), Double(last), accuracy: 1e-9)
        let report = try readReport(root)
        XCTAssertTrue(report.contains(" training windows/s; learning rate polynomial_decay from 0.001, \(last) at the last update\n"),
                      report)
        let model = CrashFiles.bytes("models/tiny.safetensors", in: root)

        let killed = try CLI.run("train", ["--mode", "tiny"], in: pristine, environment: ["EARMARK_KILL_AT": "step@10"])
        XCTAssertEqual(killed.status, SIGKILL, killed.output)
        _ = try trainTiny(pristine, ["--resume"])
        XCTAssertEqual(CrashFiles.bytes("models/tiny.safetensors", in: pristine), model,
                       "the resumed run's model differs from the uninterrupted run's")

        let constant = try makeData(epochs: 2, training: "")
        defer { try? FileManager.default.removeItem(at: constant) }
        _ = try trainTiny(constant)
        // the schedule changes the trained weights (the file's stored config differs in any case)
        let file = "models/tiny.safetensors"
        XCTAssertNotEqual(try ModelFiles.tensors(constant.appendingPathComponent(file)),
                          try ModelFiles.tensors(root.appendingPathComponent(file)))
    }

    /// `model_checkpoint` chooses the saved epoch: the last one without `save_best_only` (the model file
    /// says epoch 3 of 3), the lowest validation loss's with `monitor: val_loss`; the report names it.
    func testModelCheckpointChoosesTheSavedEpochAndTheReportSaysWhich() throws {
        let root = try makeData(epochs: 3, training: "  model_checkpoint: {save_best_only: false}\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = try trainTiny(root)
        XCTAssertEqual(train.stdout.components(separatedBy: " (saved)\n").count, 4, train.stdout)
        let model = try SafeTensors.read(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
        XCTAssertEqual(model.metadata["epoch"], "3", "\(model.metadata)")
        let report = try readReport(root)
        XCTAssertTrue(report.contains("validation accuracy (windows) of the saved epoch 3 (the last epoch): "), report)

        let cfg = root.appendingPathComponent("cfg/tiny.yaml")
        try String(contentsOf: cfg, encoding: .utf8)
            .replacingOccurrences(of: "{save_best_only: false}", with: "{monitor: val_loss}")
            .write(to: cfg, atomically: true, encoding: .utf8)
        _ = try trainTiny(root)
        let history = try String(contentsOf: root.appendingPathComponent("runs/tiny/history.csv"), encoding: .utf8)
        let losses = history.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[3])! }
        let lowest = losses.indices.min { losses[$0] < losses[$1] }! + 1
        let lossReport = try readReport(root)
        XCTAssertTrue(lossReport.contains("validation accuracy (windows) of the saved epoch \(lowest) (lowest val_loss): "),
                      lossReport)
    }
}
