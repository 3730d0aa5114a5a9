import Foundation
import TestSupport
import XCTest

final class CompareTests: XCTestCase {
    func testCompareTrainsEachConfigAndWritesOneTable() throws {
        let root = try makeTemporaryFolder("earmark-compare"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        try TinyData.writeVariant(in: root, named: "tiny_fbank",
                                  replacing: ["name: tiny_fbank": "name: tiny_fbank\nfeatures: {kind: logfbank}"])
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/tiny_fbank.yaml"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("| config | parameters | s/epoch | train windows/s | best val acc "
                                        + "| test file acc | predict ms/clip |"), r.stdout)
        let table = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| tiny | 843 |"), table)
        // 26 filters: (9, 26, 1) -> conv 40 + dense (4*13*4 -> 8) 1,672 + output 27 parameters
        XCTAssertTrue(table.contains("| tiny_fbank | 1739 |"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), "same cleaning and seed: same test files")
        let csv = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 3)
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("runs/compare/compare.svg"), encoding: .utf8)
            .hasPrefix("<svg"))
        for name in ["tiny", "tiny_fbank"] {
            XCTAssertTrue(FileManager.default.fileExists(
                atPath: root.appendingPathComponent("models/\(name).safetensors").path))
        }
    }

    /// What a config gets wrong about the data's classes (an output of another width, a class weight
    /// of a class the data does not have) stops the comparison before the first config trains: it
    /// stopped it after the earlier configs had trained, with no table.
    func testAConfigThatDoesNotFitTheClassesStopsTheComparisonBeforeAnyTraining() throws {
        let root = try makeTemporaryFolder("earmark-compare-classes")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        try TinyData.writeVariant(in: root, named: "five", replacing: ["units: classes": "units: 5"])
        try TinyData.writeVariant(in: root, named: "weighted",
                                  replacing: ["batch_size: 16": "batch_size: 16\n  class_weight: {hum: 1, tone: 1, whistle: 1, purr: 2}"])
        for (config, message) in [("cfg/five.yaml", "units: is 5 but the data has 3 classes (write `units: classes`)"),
                                  ("cfg/weighted.yaml", "training.class_weight: names class 'purr', which the data does "
                                   + "not have")] {
            let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", config], in: root)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
            XCTAssertFalse(r.stdout.contains("== tiny"), "nothing trained first: \(r.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("models/tiny.safetensors").path))
        }
    }

    /// A comparison stopped by a signal (here after 2 steps, as Ctrl-C would) exits with 130 like train,
    /// says that no table was written, and writes none (it exited 0 with a bare "stopped").
    func testAStoppedComparisonExitsWith130AndWritesNoTable() throws {
        let root = try makeTemporaryFolder("earmark-compare-stop"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, epochs: 3)
        try TinyData.writeVariant(in: root, named: "other")
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/other.yaml", "--stop-after-steps", "2"], in: root)
        XCTAssertEqual(r.status, 130, r.output)
        XCTAssertTrue(r.stdout.contains("stopped: no comparison table written (train compare has no --resume: run it again)"),
                      r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/compare").path))
    }

    /// Two configs named alike would write one model file and run folder, the second replacing the
    /// first's: refused before anything is read or written, naming both files; so is a file given twice.
    func testConfigsWithOneNameAreRefusedBeforeAnyWork() throws {
        let root = try makeTemporaryFolder("earmark-samename"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        let tiny = try String(contentsOf: root.appendingPathComponent("cfg/tiny.yaml"), encoding: .utf8)
        try ("name: tiny\n" + tiny.replacingOccurrences(of: "name: tiny\n", with: ""))
            .write(to: root.appendingPathComponent("cfg/other.yaml"), atomically: true, encoding: .utf8)
        for (configs, words) in [(["cfg/tiny.yaml", "cfg/other.yaml"],
                                  ["cfg/other.yaml: name: 'tiny' is also the name of ",
                                   "cfg/tiny.yaml: the second would replace the first's models/tiny.safetensors and runs/tiny/"]),
                                 (["cfg/tiny.yaml", "cfg/tiny.yaml"], ["cfg/tiny.yaml: name: given twice to train compare"])] {
            let r = try CLI.run("train", ["compare"] + configs, in: root)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
            for w in words { XCTAssertTrue(r.stderr.contains(w), r.stderr) }
            for folder in ["clean", "models", "runs"] {
                XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(folder).path), folder)
            }
        }
    }

    /// A config named like a file Earmark derives from another config's name (`tiny.checkpoint`,
    /// `tiny.fold2`) would replace tiny's checkpoint or fold model: refused by train and compare
    /// before anything is written; `tiny.v2` or `tiny.folds` name nothing derived and train.
    func testNamesEndingLikeDerivedFilesAreRefused() throws {
        let root = try makeTemporaryFolder("earmark-derived-name"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        for (name, words) in [("tiny.checkpoint", "(its checkpoint models/tiny.checkpoint.safetensors)"),
                              ("tiny.fold2", "(its fold model models/tiny.fold2.safetensors)")] {
            let file = try TinyData.writeVariant(in: root, named: name)
            for args in [["--config", file], ["compare", "cfg/tiny.yaml", file]] {
                let r = try CLI.run("train", args, in: root)
                XCTAssertEqual(r.status, 1, r.output)
                XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
                XCTAssertTrue(r.stderr.contains("\(file): name: '\(name)' ends like a file Earmark writes "
                                                + "for the config 'tiny' \(words) and would replace it"), r.stderr)
                for folder in ["clean", "models", "runs"] {
                    XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(folder).path), folder)
                }
            }
        }
        // a name too long for the files it names: refused before any work (it failed after the features)
        let long = try TinyData.writeVariant(in: root, named: String(repeating: "a", count: 201))
        let tooLong = try CLI.run("train", ["--config", long], in: root)
        XCTAssertEqual(tooLong.status, 1, tooLong.output)
        XCTAssertTrue(tooLong.stderr.contains("name: is 201 bytes long; at most 200"), tooLong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("clean").path))
        for name in ["tiny.v2", "tiny.folds"] {
            let r = try CLI.run("train", ["--config", try TinyData.writeVariant(in: root, named: name)], in: root)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("models/\(name).safetensors").path))
        }
    }

    /// A config whose loss turns NaN before any epoch ends is left out of the comparison with a
    /// warning; the other configs are still compared (the first divergence ended the comparison).
    func testAConfigThatDivergesIsLeftOutAndTheOthersCompared() throws {
        let root = try makeTemporaryFolder("earmark-compare-nan"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        try FileManager.default.copyItem(at: Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent()
                                            .appendingPathComponent("cfg/forest.yaml"),
                                         to: root.appendingPathComponent("cfg/forest.yaml"))
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/forest.yaml"], in: root,
                            environment: ["EARMARK_NAN_LOSS_AT": "1"])   // every network run's first step
        // the table of the others is written, and the status says a config was left out
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("error: the loss of some configs became NaN or infinite: 1 left out of the "
                                        + "comparison (tiny)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: tiny: loss became nan at epoch 1, step 1; training stopped, no epoch "
                                        + "of this run finished, so it saved nothing"), r.stderr)
        XCTAssertTrue(r.stderr.contains("left out of the comparison"), r.stderr)
        let table = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8)
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        XCTAssertEqual(rows, ["forest"], table)

        // nothing comparable (with --folds too, which ended at the first divergence): the table is kept
        let none = try CLI.run("train", ["compare", "cfg/tiny.yaml", "--folds", "2"], in: root,
                               environment: ["EARMARK_NAN_LOSS_AT": "1"])
        XCTAssertEqual(none.status, 1, none.output)
        XCTAssertTrue(none.stderr.contains("no config could be compared: tiny diverged"), none.stderr)
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8),
                       table, "the previous table is kept")
    }

    func testTwoClassReportHasROCAndPartialAUC() throws {
        let root = try makeTemporaryFolder("earmark-binary"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, filesPerClass: 6, classCount: 2)
        let r = try CLI.run("train", ["--mode", "tiny", "--epochs", "3"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("ROC AUC"), r.stdout)
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("ROC AUC") && report.contains("partial AUC (FPR <= 0.1"), report)
    }

    /// Two classes: the table has the ROC AUC and partial AUC of each config, over the test files (the
    /// same figures as its own report) or, cross-validated, over the folds' test files pooled.
    func testTwoClassCompareHasROCColumns() throws {
        let root = try makeTemporaryFolder("earmark-binary-compare")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, filesPerClass: 9, epochs: 3, classCount: 2)
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let header = "| best val acc | test file acc | test ROC AUC | test pAUC (FPR <= 0.1) | predict ms/clip |"
        XCTAssertTrue(r.stdout.contains(header), r.stdout)
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        let auc = try XCTUnwrap(report.range(of: #"ROC AUC (\d\.\d{4})"#, options: .regularExpression).map {
            String(report[$0].suffix(6))
        })
        let row = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("| tiny |") })
        XCTAssertEqual(row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[6], auc, String(row))
        let csv = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("config,parameters,seconds_per_epoch,train_windows_per_second,best_val_accuracy,"
                                    + "test_file_accuracy,predict_ms_per_clip,test_roc_auc,test_partial_auc\n"), csv)

        let folds = try CLI.run("train", ["compare", "cfg/tiny.yaml", "--folds", "3"], in: root)
        XCTAssertEqual(folds.status, 0, folds.output)
        let cv = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.md"), encoding: .utf8)
        XCTAssertTrue(cv.contains("| test file acc mean | test file acc sd | test ROC AUC | test pAUC (FPR <= 0.1) |"), cv)
        XCTAssertTrue(cv.contains("ROC AUC and partial AUC over the folds' test files pooled"), cv)
        // the final model's report gives the same pooled figure
        let final = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        let pooled = try XCTUnwrap(final.range(of: #"pooled, positive class `tone`: ROC AUC \d\.\d{4}"#,
                                               options: .regularExpression).map { String(final[$0].suffix(6)) }, final)
        let cvRow = try XCTUnwrap(cv.split(separator: "\n").first { $0.hasPrefix("| tiny |") })
        XCTAssertEqual(cvRow.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[7], pooled,
                       String(cvRow))
    }

    /// Issue 16: `train compare` gives a config (here the second, an LSTM with dropout like
    /// cfg/time.yaml) the same weights, bit for bit, as `train` of that config alone, with the same
    /// seed and replica count, and with OpenBLAS's multithreaded default (2 threads) at start-up.
    func testCompareGivesTheSecondConfigTheWeightsOfTrainingItAlone() throws {
        let alone = try makeTemporaryFolder("earmark-alone"), compared = try makeTemporaryFolder("earmark-compared")
        defer { for f in [alone, compared] { try? FileManager.default.removeItem(at: f) } }
        let lstm = """
            name: small_lstm
            model:
              input: sequence
              layers:
                - lstm: {units: 160, return_sequences: true}
                - dropout: {rate: 0.5}
                - time_distributed: {dense: {units: 8, activation: relu}}
                - flatten: {}
                - dense: {units: classes, activation: softmax}
            training: {epochs: 2, batch_size: 16}
            split: {test: 0.2, validation: 0.2}
            """
        for root in [alone, compared] {
            try TinyData.make(in: root, epochs: 2)
            try lstm.write(to: root.appendingPathComponent("cfg/small_lstm.yaml"), atomically: true, encoding: .utf8)
        }
        let environment = ["OPENBLAS_NUM_THREADS": "2", "EARMARK_THREADS": "2"]
        let a = try CLI.run("train", ["--config", "cfg/small_lstm.yaml"], in: alone, environment: environment)
        XCTAssertEqual(a.status, 0, a.output)
        let c = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/small_lstm.yaml"], in: compared,
                            environment: environment)
        XCTAssertEqual(c.status, 0, c.output)
        let model = "models/small_lstm.safetensors"
        let expected = try Data(contentsOf: alone.appendingPathComponent(model))
        XCTAssertEqual(try Data(contentsOf: compared.appendingPathComponent(model)), expected,
                       "the second config of train compare trained to other weights than alone")
        func losses(_ root: URL) throws -> [String] {   // history.csv without the seconds column
            try String(contentsOf: root.appendingPathComponent("runs/small_lstm/history.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        XCTAssertEqual(try losses(compared), try losses(alone))
    }
}
