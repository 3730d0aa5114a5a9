import Foundation
import Tensor
import TestSupport
import XCTest

/// `train --folds K` and `train compare --folds K` on tiny data with a group column, and the
/// group-aware hold-out split.
final class CrossValidationTests: XCTestCase {
    /// TinyData with 6 files per class and a `group` column: 3 groups of 2 files per class.
    func makeGroupedData(_ prefix: String) throws -> URL {
        let root = try makeTemporaryFolder(prefix)
        try TinyData.make(in: root, filesPerClass: 6)
        var csv = "fname,label,group\n"
        for label in TinyData.classes {
            for i in 0..<6 { csv += "\(label) \(i).wav,\(label),\(label)-part\(i / 2)\n" }
        }
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        return root
    }

    func read(_ root: URL, _ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ root: URL, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    func testTrainFoldsReportsMeanAndDeviationAndWritesEachFold() throws {
        let root = try makeGroupedData("earmark-folds"); defer { try? FileManager.default.removeItem(at: root) }
        let r = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let drawn = ["5/4", "4/5"].contains { r.stdout.contains("2 folds of \($0) groups of column 'group', seed 0") }
        XCTAssertTrue(drawn, r.stdout)
        XCTAssertTrue(r.stdout.contains("test file accuracy over 2 folds (grouped by 'group'): mean "), r.stdout)
        XCTAssertTrue(r.stdout.contains("% (sample sd)"), r.stdout)
        for k in 1...2 {
            XCTAssertTrue(exists(root, "models/tiny.fold\(k).safetensors"))
            let fold = try read(root, "runs/tiny/fold\(k)/report.md")
            XCTAssertTrue(fold.contains("split by group column 'group'"), fold)
            XCTAssertTrue(fold.contains("test = fold \(k) of 2"), fold)
        }
        XCTAssertTrue(exists(root, "models/tiny.safetensors"))
        let csv = try read(root, "runs/tiny/folds.csv").split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertEqual(csv[0], "fold,train_files,validation_files,test_files,train_groups,validation_groups,"
                       + "test_groups,best_val_accuracy,test_file_accuracy")
        let test = csv.dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(test.map { Int($0[3])! }.reduce(0, +), 18, "every file tested once")
        XCTAssertEqual(test.map { Int($0[6])! }.reduce(0, +), 9, "every group tested once")
        for row in test { XCTAssertEqual(Int(row[1])! + Int(row[2])! + Int(row[3])!, 18) }
        let report = try read(root, "runs/tiny/report.md")
        XCTAssertTrue(report.contains("## Cross-validation"), report)
        XCTAssertTrue(report.contains("**Test file accuracy over 2 folds"), report)
        XCTAssertTrue(report.contains("every file trains or validates, no test files"), report)

        // resuming a finished cross-validation only scores the folds again: same numbers
        let again = try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--resume"], in: root)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try read(root, "runs/tiny/folds.csv").split(separator: "\n").count, 3)
        func meanLine(_ s: String) -> String? {
            s.split(separator: "\n").last { $0.contains("over 2 folds") }.map(String.init)
        }
        XCTAssertEqual(meanLine(again.stdout), meanLine(r.stdout))
        XCTAssertTrue(again.stdout.contains("tiny.fold1: 1/1 epochs already done; scoring and reporting it again"),
                      again.stdout)   // it said "resuming at epoch 2" of 1
        // fewer folds than the last run: its higher folds' models and reports are removed, and said
        let three = try CLI.run("train", ["--mode", "tiny", "--folds", "3"], in: root)
        XCTAssertEqual(three.status, 0, three.output)
        XCTAssertTrue(exists(root, "models/tiny.fold3.safetensors") && exists(root, "runs/tiny/fold3/report.md"))
        let fewer = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root)
        XCTAssertEqual(fewer.status, 0, fewer.output)
        XCTAssertTrue(fewer.stderr.contains("warning: removed the models and reports of fold 3 of tiny, from an earlier "
                                            + "run with more folds"), fewer.stderr)
        for path in ["models/tiny.fold3.safetensors", "models/tiny.fold3.checkpoint.safetensors", "runs/tiny/fold3"] {
            XCTAssertFalse(exists(root, path), path)
        }
        XCTAssertTrue(exists(root, "models/tiny.fold2.safetensors"))

        // other folds do not continue a checkpoint of these ones
        let other = try CLI.run("train", ["--mode", "tiny", "--folds", "3", "--resume"], in: root)
        XCTAssertEqual(other.status, 1, other.output)
        XCTAssertTrue(other.stderr.contains("tiny.fold1.checkpoint.safetensors: was made with other folds or files"),
                      other.stderr)
    }

    /// The folds are drawn over the rows whose clip can be used: rows whose file does not clean were
    /// drawn into folds too, so a class whose second file was empty trained without the class in one
    /// fold, and a fold of unusable files tested nothing yet counted in the mean, without a word.
    func testFoldsAreDrawnOverTheUsableRowsOnly() throws {
        let root = try makeTemporaryFolder("earmark-folds-usable"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, filesPerClass: 4)
        try Data().write(to: root.appendingPathComponent("wavfiles/empty.wav"))
        for name in ["e1", "e2", "e3"] { try Data().write(to: root.appendingPathComponent("wavfiles/\(name).wav")) }
        // hum: one usable file and an empty one; the other classes 4 usable files each
        var csv = "fname,label\nhum 0.wav,hum\nempty.wav,hum\n"
        for label in ["tone", "whistle"] { for i in 0..<4 { csv += "\(label) \(i).wav,\(label)\n" } }
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let oneHum = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root)
        XCTAssertEqual(oneHum.status, 1, oneHum.output)
        XCTAssertTrue(oneHum.stderr.contains("class 'hum' has only one file: the fold that tests it would train "
                                             + "without the class"), oneHum.stderr)
        XCTAssertTrue(oneHum.stderr.contains("empty.wav"), "the reason the row is not usable: \(oneHum.stderr)")
        XCTAssertFalse(exists(root, "models"))

        // three unusable rows, which could make a fold of their own: every fold tests usable files
        csv = "fname,label\nhum 0.wav,hum\nhum 1.wav,hum\ntone 0.wav,tone\ntone 1.wav,tone\n"
            + "e1.wav,tone\ne2.wav,tone\ne3.wav,tone\n"
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("folds over 4 of 7 audio.csv rows (those with a usable clip)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("2 folds of 2/2 files"), r.stdout)
        // each data warning once, not once per fold and again for the final model
        XCTAssertEqual(r.stderr.components(separatedBy: "not listed in audio.csv ignored").count - 1, 1, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "e1.wav").count - 1, 1, r.stderr)
        let folds = try read(root, "runs/tiny/folds.csv").split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(folds.map { Int($0[3])! }, [2, 2], "each fold tests 2 usable files")
        for row in folds { XCTAssertEqual(Int(row[1])! + Int(row[2])! + Int(row[3])!, 4, "\(row)") }
    }

    func testCompareFoldsUsesTheSameFoldsAndAddsDeviation() throws {
        let root = try makeGroupedData("earmark-compare-folds"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.writeVariant(in: root, named: "tiny2", replacing: ["name: tiny2": "name: tiny2\nfeatures: {kind: logfbank}"])
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/tiny2.yaml", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("| best val acc | test file acc mean | test file acc sd | predict ms/clip |"),
                      r.stdout)
        let table = try read(root, "runs/compare/compare.md")
        XCTAssertTrue(table.contains("mean and sample sd over the same 2 folds"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), table)
        let folds = try read(root, "runs/compare/compare_folds.csv").split(separator: "\n")
        XCTAssertEqual(folds.count, 5)
        XCTAssertTrue(try read(root, "runs/compare/compare.csv").hasPrefix("config,parameters,seconds_per_epoch,"
            + "train_windows_per_second,best_val_accuracy,test_file_accuracy,predict_ms_per_clip,"
            + "test_file_accuracy_sd\n"))
        // same folds: each fold's models list the same test files (by name, not only their count)
        for k in 1...2 {
            let a = try ModelFiles.testFiles(root.appendingPathComponent("models/tiny.fold\(k).safetensors"))
            let b = try ModelFiles.testFiles(root.appendingPathComponent("models/tiny2.fold\(k).safetensors"))
            XCTAssertFalse(a.isEmpty, "fold \(k)")
            XCTAssertEqual(a, b, "fold \(k): the same test files")
        }
        XCTAssertTrue(try ModelFiles.testFiles(root.appendingPathComponent("models/tiny.fold1.safetensors"))
            .isDisjoint(with: ModelFiles.testFiles(root.appendingPathComponent("models/tiny.fold2.safetensors"))))

        // (a --resume without folds after a cross-validation interrupted since: the resume test below)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root).status, 0)
        // a run without folds stopped after an epoch saved its model: the folds go then (its --resume,
        // finding the epochs done, saves nothing and removed nothing, leaving them beside the new model)
        let stopped = try CLI.run("train", ["--mode", "tiny", "--epochs", "3"], in: root,
                                  environment: ["EARMARK_KILL_AT": "step@6", "EARMARK_KILL_SIGNAL": "INT"])
        XCTAssertEqual(stopped.status, 130, stopped.output)
        XCTAssertFalse(exists(root, "runs/tiny/folds.csv"), stopped.stderr)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root).status, 0)
        // a run without folds that saves nothing (its loss NaN at once) leaves the folds as they were
        let failed = try CLI.run("train", ["--mode", "tiny"], in: root, environment: ["EARMARK_NAN_LOSS_AT": "1"])
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(exists(root, "runs/tiny/folds.csv") && exists(root, "models/tiny.fold1.safetensors"))
        // the same comparison without folds: the folds' files no longer describe its models, and go
        let plain = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/tiny2.yaml"], in: root)
        XCTAssertEqual(plain.status, 0, plain.output)
        for path in ["runs/compare/compare_folds.csv", "models/tiny.fold1.safetensors", "runs/tiny/folds.csv",
                     "runs/tiny/fold2", "models/tiny2.fold2.safetensors"] {
            XCTAssertFalse(exists(root, path), path)
        }
        XCTAssertTrue(plain.stderr.contains("warning: removed the models and reports of folds 1 to 2 of tiny, from an "
                                            + "earlier run with --folds"), plain.stderr)
    }

    /// A cross-validation started afresh over an earlier one's checkpoints (another seed), stopped in
    /// its first fold, resumes to the models of an uninterrupted run: the fresh start removes the
    /// earlier checkpoints and says so (the resume met the earlier fold 2 checkpoint after fold 1 and
    /// was refused as another config).
    func testAFreshCrossValidationStoppedInItsFirstFoldResumes() throws {
        let root = try makeGroupedData("earmark-folds-fresh"); defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root).status, 0)
        let arguments = ["--mode", "tiny", "--folds", "2", "--seed", "1"]
        let stopped = try CLI.run("train", arguments, in: root,
                                  environment: ["EARMARK_KILL_AT": "step@2", "EARMARK_KILL_SIGNAL": "INT"])
        XCTAssertEqual(stopped.status, 130, stopped.output)
        XCTAssertTrue(stopped.stderr.contains("warning: removed 3 checkpoints of tiny left by an earlier run "
                                              + "(models/tiny.fold1.checkpoint.safetensors, "
                                              + "models/tiny.fold2.checkpoint.safetensors, "
                                              + "models/tiny.checkpoint.safetensors): this cross-validation starts "
                                              + "afresh"), stopped.stderr)
        let resumed = try CLI.run("train", arguments + ["--resume"], in: root)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let models = ["models/tiny.fold1.safetensors", "models/tiny.fold2.safetensors", "models/tiny.safetensors"]
        let afterResume = try models.map { try Data(contentsOf: root.appendingPathComponent($0)) }
        let whole = try CLI.run("train", arguments, in: root)
        XCTAssertEqual(whole.status, 0, whole.output)
        XCTAssertEqual(try models.map { try Data(contentsOf: root.appendingPathComponent($0)) }, afterResume,
                       "the resumed cross-validation's models are the uninterrupted one's")
    }

    /// A plain run and a cross-validation of one config in one data folder: a plain `--resume` continues
    /// the plain run's checkpoint only, `--folds K --resume` the cross-validation's, and an interrupted
    /// cross-validation's folds are kept by a plain run that saves (it deleted them: the checkpoints a
    /// stop line had said to continue).
    func testResumeWithoutFoldsLeavesAnInterruptedCrossValidationToFolds() throws {
        let root = try makeGroupedData("earmark-folds-resume"); defer { try? FileManager.default.removeItem(at: root) }
        /// `train` with `arguments`, stopped by SIGINT at its second step (status 130).
        func interrupted(_ arguments: [String]) throws {
            let r = try CLI.run("train", ["--mode", "tiny"] + arguments, in: root,
                                environment: ["EARMARK_KILL_AT": "step@2", "EARMARK_KILL_SIGNAL": "INT"])
            XCTAssertEqual(r.status, 130, r.output)
        }
        // 1. a cross-validation interrupted in its first fold: no checkpoint of the config's own
        try interrupted(["--folds", "2"])
        XCTAssertFalse(exists(root, "models/tiny.checkpoint.safetensors"))
        let plain = try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        XCTAssertEqual(plain.status, 1, plain.output)
        XCTAssertTrue(plain.stderr.contains("models/tiny.checkpoint.safetensors: does not exist, but "
                                            + "models/tiny.fold1.checkpoint.safetensors is an interrupted "
                                            + "cross-validation's"), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("`train --folds K --resume`"), plain.stderr)
        XCTAssertTrue(exists(root, "models/tiny.fold1.checkpoint.safetensors"))
        XCTAssertFalse(exists(root, "models/tiny.safetensors"), "nothing trained")
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--resume"], in: root).status, 0)
        // 2. a finished cross-validation: the config's checkpoint is its final model's, which --folds resumes
        let final = try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        XCTAssertEqual(final.status, 1, final.output)
        XCTAssertTrue(final.stderr.contains("models/tiny.checkpoint.safetensors: is a cross-validation's final model"),
                      final.stderr)
        // without --resume, a run from the beginning is what was asked for: the finished folds go
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        XCTAssertFalse(exists(root, "models/tiny.fold1.safetensors"))

        // 3. a plain run interrupted, then a cross-validation: the plain --resume continues the plain run,
        // and when it saves, the interrupted folds stay, said
        try interrupted(["--epochs", "3"])
        try interrupted(["--folds", "2"])
        let stale = try CLI.run("train", ["--mode", "tiny", "--epochs", "3", "--resume"], in: root)
        XCTAssertEqual(stale.status, 0, stale.output)
        XCTAssertTrue(stale.stderr.contains("kept the folds of an interrupted cross-validation of tiny beside this model "
                                            + "(models/tiny.fold1.checkpoint.safetensors and the others)"), stale.stderr)
        XCTAssertTrue(exists(root, "models/tiny.fold1.checkpoint.safetensors"))
        // 4. and --folds --resume then finishes the cross-validation: its final model does not continue the
        // plain run's checkpoint (it stopped, after the folds, on "made with other folds or files")
        try interrupted(["--epochs", "3"])
        let folds = try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--resume"], in: root)
        XCTAssertEqual(folds.status, 0, folds.output)
        XCTAssertTrue(folds.stderr.contains("models/tiny.checkpoint.safetensors is a hold-out run's checkpoint, not this "
                                            + "cross-validation's final model: the final model starts from the beginning"),
                      folds.stderr)
        XCTAssertTrue(exists(root, "runs/tiny/folds.csv"))
        // 5. the same with a checkpoint written before the record (no `cross_validation`): its test files
        // say it is a hold-out run's (it failed after the folds, "made with other folds or files")
        try interrupted(["--epochs", "3"])
        let url = root.appendingPathComponent("models/tiny.checkpoint.safetensors")
        var file = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(file.metadata.removeValue(forKey: "cross_validation"), "none")
        try SafeTensors.write(file, to: url)
        try interrupted(["--folds", "2"])
        let old = try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--resume"], in: root)
        XCTAssertEqual(old.status, 0, old.output)
        XCTAssertTrue(old.stderr.contains("is a hold-out run's checkpoint"), old.stderr)
    }

    /// A fold whose loss turns NaN after its first epoch: the message says what the fold kept and that
    /// the cross-validation stopped (it read as if the config's model were kept), and no folds.csv
    /// is written; `compare --folds` leaves the config out with the same words.
    func testAFoldThatDivergesAfterAnEpochStopsTheCrossValidationAndSaysSo() throws {
        let root = try makeGroupedData("earmark-folds-nan"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.writeConfig(in: root, epochs: 2)
        let clean = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root)
        XCTAssertEqual(clean.status, 0, clean.output)
        // fold 1's steps per epoch, from its first progress line ("12/12 [====..."); the folds are seeded
        let fold1 = try XCTUnwrap(clean.stdout.components(separatedBy: "== tiny: fold 1 of 2").last)
        let steps = try XCTUnwrap(fold1.split(separator: "\n").lazy.compactMap { line -> Int? in
            guard line.contains(" [=") else { return nil }
            return line.split(separator: "/").first.flatMap { Int($0) }
        }.first)
        let at = String(steps + 1)      // the first step of fold 1's second epoch
        let expected = "training stopped, fold 1 of 2 kept the model saved before it, with its report, and the "
            + "cross-validation stopped there"
        let model1 = root.appendingPathComponent("models/tiny.fold1.safetensors").path
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: model1)
        let r = try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root, environment: ["EARMARK_NAN_LOSS_AT": at])
        let status = r.status, output = r.output
        XCTAssertTrue(r.stderr.contains("at epoch 2, step 1;"), r.stderr)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains(expected), output)
        let saved = try FileManager.default.attributesOfItem(atPath: model1)[.modificationDate] as? Date
        XCTAssertGreaterThan(saved?.timeIntervalSince1970 ?? 0, 0, "fold 1's first epoch saved its model")
        XCTAssertTrue(try read(root, "runs/tiny/fold1/report.md").contains("test = fold 1 of 2"))
        XCTAssertFalse(exists(root, "runs/tiny/folds.csv"), "no table of folds that did not all finish")
        XCTAssertFalse(output.contains("== tiny: fold 2 of 2"), output)

        let compare = try CLI.run("train", ["compare", "cfg/tiny.yaml", "--folds", "2"], in: root,
                                  environment: ["EARMARK_NAN_LOSS_AT": at])
        XCTAssertEqual(compare.status, 1, compare.output)
        XCTAssertTrue(compare.stderr.contains(expected + " (try a lower learning_rate); left out of the comparison"),
                      compare.stderr)
    }

    func testHoldOutSplitByGroupAndMissingColumn() throws {
        let root = try makeGroupedData("earmark-groups"); defer { try? FileManager.default.removeItem(at: root) }
        let r = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        // 3 groups per class -> 1/1/1 train/validation/test groups per class
        XCTAssertTrue(r.stdout.contains("6/6/6 train/validation/test files; "
                                        + "3/3/3 train/validation/test groups by 'group'"), r.stdout)
        let report = try read(root, "runs/tiny/report.md")
        XCTAssertTrue(report.contains("split by group column 'group': 3 train, 3 validation, 3 test groups"), report)

        try TinyData.writeConfig(in: root, epochs: 1, extra: "  group_column: machine")
        let missing = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.stderr.contains("audio.csv: has no column 'machine', which split.group_column of "),
                      missing.stderr)
        XCTAssertTrue(missing.stderr.contains("cfg/tiny.yaml"), missing.stderr)
    }
}
