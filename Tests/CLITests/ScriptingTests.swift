import Foundation
import TestSupport
import XCTest

/// The command-line conventions: built-in configs (`--mode` from any folder, `--list-modes`),
/// `--json` and `--quiet`, `--version` and shell completion scripts.
final class ScriptingTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-scripting")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testModeConvWorksFromAFolderWithoutCfg() throws {
        let r = try CLI.run("train", ["--mode", "conv", "--print-config"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.hasPrefix("name: conv\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("numcep: 13"), r.stdout)
        // preprocess finds the built-in config too: it gets as far as the (missing) data, the one error
        let p = try CLI.run("preprocess", ["--mode", "time", "--data", "."], in: root)
        XCTAssertEqual(p.status, 1, p.output)
        XCTAssertFalse(p.output.contains("not found"), p.output)
        XCTAssertEqual(p.stderr.split(separator: "\n").count, 1, p.stderr)
        XCTAssertTrue(p.stderr.hasPrefix("error: ") && p.stderr.contains("audio.csv: does not exist: preprocess needs "
                                                                           + "audio.csv"), p.stderr)
    }

    func testALocalCfgOverridesTheBuiltInOneAndListModesNamesTheSource() throws {
        let list = try CLI.run("train", ["--list-modes"], in: root)
        XCTAssertEqual(list.status, 0, list.output)
        for mode in ["conv", "time", "conv_small", "forest"] {
            XCTAssertTrue(list.stdout.contains("\(mode)\tbuilt in\n"), list.stdout)
        }
        let cfg = root.appendingPathComponent("cfg")
        try FileManager.default.createDirectory(at: cfg, withIntermediateDirectories: true)
        let builtIn = try CLI.run("train", ["--mode", "conv", "--print-config"], in: root).stdout
        let local = builtIn.replacingOccurrences(of: "numcep: 13", with: "numcep: 12")
        XCTAssertNotEqual(local, builtIn)
        try local.write(to: cfg.appendingPathComponent("conv.yaml"), atomically: true, encoding: .utf8)
        try builtIn.write(to: cfg.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["--mode", "conv", "--print-config"], in: root)
        XCTAssertTrue(r.stdout.contains("numcep: 12"), r.output)
        let listed = try CLI.run("train", ["--list-modes"], in: root).stdout
        let path = cfg.appendingPathComponent("conv.yaml").standardizedFileURL.path
        XCTAssertTrue(listed.contains("conv\t\(path)\n") || listed.contains("conv\t/private\(path)\n"), listed)
        XCTAssertTrue(listed.contains("mine\t"), listed)
        XCTAssertTrue(listed.contains("time\tbuilt in\n"), listed)

        // a cfg/ beside the data overrides the built-in config too (the current folder's cfg/ comes first)
        let dataCfg = root.appendingPathComponent("data/cfg")
        try FileManager.default.createDirectory(at: dataCfg, withIntermediateDirectories: true)
        let time = try CLI.run("train", ["--mode", "time", "--print-config"], in: root).stdout
        try time.write(to: dataCfg.appendingPathComponent("time.yaml"), atomically: true, encoding: .utf8)
        try time.write(to: dataCfg.appendingPathComponent("conv.yaml"), atomically: true, encoding: .utf8)
        let withData = try CLI.run("train", ["--list-modes", "--data", "data"], in: root).stdout
        XCTAssertTrue(withData.contains("time\t") && withData.contains("data/cfg/time.yaml\n"), withData)
        XCTAssertTrue(withData.contains("conv\t") && withData.contains("/cfg/conv.yaml\n"), withData)
        XCTAssertFalse(withData.contains("data/cfg/conv.yaml"), withData)
        // a folder named like a config is no config: not listed, and it does not hide the next one
        try FileManager.default.createDirectory(at: cfg.appendingPathComponent("time.yaml"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: cfg.appendingPathComponent("folder.yaml"), withIntermediateDirectories: true)
        let withFolders = try CLI.run("train", ["--list-modes", "--data", "data"], in: root).stdout
        XCTAssertFalse(withFolders.contains("folder\t"), withFolders)
        XCTAssertTrue(withFolders.contains("data/cfg/time.yaml\n"), withFolders)
    }

    func testJSONAndQuietOutputOfTrainAndPredict() throws {
        try TinyData.make(in: root)
        let train = try CLI.run("train", ["--mode", "tiny", "--json"], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        let events = try jsonLines(train.stdout)
        let epochs = events.filter { $0["event"] as? String == "epoch" }
        XCTAssertEqual(epochs.count, 1, train.stdout)
        for key in ["epoch", "epochs", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "best"] {
            XCTAssertNotNil(epochs.first?[key], "epoch event lacks \(key): \(train.stdout)")
        }
        let result = try XCTUnwrap(events.last)
        XCTAssertEqual(result["event"] as? String, "result")
        XCTAssertEqual(result["config"] as? String, "tiny")
        XCTAssertEqual(result["outcome"] as? String, "finished")
        XCTAssertEqual(result["model"] as? String, "models/tiny.safetensors")
        let test = try XCTUnwrap(result["test"] as? [String: Any], train.stdout)
        for key in ["file_accuracy", "files", "correct", "window_accuracy", "classes"] {
            XCTAssertNotNil(test[key], "test result lacks \(key): \(train.stdout)")
        }

        // with --folds, the epochs of every fold and of the final model, each naming its run (there were none)
        let folds = try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--json"], in: root)
        XCTAssertEqual(folds.status, 0, folds.output)
        let foldEvents = try jsonLines(folds.stdout)
        XCTAssertEqual(foldEvents.filter { $0["event"] as? String == "epoch" }.map { $0["run"] as? String },
                       ["tiny.fold1", "tiny.fold2", "tiny"], folds.stdout)
        XCTAssertEqual(foldEvents.last?["event"] as? String, "result")

        // --quiet with --folds: the folds' estimate (it said "no held-out test files")
        let quietFolds = try CLI.run("train", ["--mode", "tiny", "--folds", "2", "--quiet"], in: root)
        XCTAssertEqual(quietFolds.status, 0, quietFolds.output)
        XCTAssertTrue(quietFolds.stdout.hasPrefix("tiny: test file accuracy over 2 folds (by file): mean "), quietFolds.stdout)

        let quiet = try CLI.run("train", ["--mode", "tiny", "--quiet"], in: root)
        XCTAssertEqual(quiet.status, 0, quiet.output)
        XCTAssertEqual(quiet.stdout.split(separator: "\n").count, 1, quiet.stdout)
        XCTAssertTrue(quiet.stdout.hasPrefix("tiny: test file accuracy "), quiet.stdout)
        XCTAssertTrue(quiet.stdout.hasSuffix(", model models/tiny.safetensors\n"), quiet.stdout)

        let predict = try CLI.run("predict", ["--json", "wavfiles"], in: root)
        XCTAssertEqual(predict.status, 0, predict.output)
        let lines = try jsonLines(predict.stdout)
        let clips = lines.filter { $0["event"] as? String == "clip" }
        XCTAssertEqual(clips.count, 15, predict.stdout)    // TinyData: 3 classes x 5 files
        for key in ["file", "prediction", "probability", "probabilities"] {
            XCTAssertNotNil(clips.first?[key], "clip event lacks \(key): \(predict.stdout)")
        }
        XCTAssertEqual(lines.last?["event"] as? String, "result")
        XCTAssertEqual(lines.last?["files"] as? Int, 15)

        let table = try jsonLines(try CLI.run("predict", ["--json"], in: root).stdout)
        XCTAssertNotNil(table.first?["split"], "\(table)")
        XCTAssertNotNil(table.first?["label"], "\(table)")

        let quietPredict = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(quietPredict.status, 0, quietPredict.output)
        XCTAssertEqual(quietPredict.stdout, "predictions: predictions.csv (15 of 15 files predicted)\n")

        let both = try CLI.run("train", ["--mode", "tiny", "--quiet", "--json"], in: root)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--quiet or --json"), both.output)
    }

    func testVersionListsTheLinkedLibraries() throws {
        for tool in ["train", "predict", "preprocess"] {
            let r = try CLI.run(tool, ["--version"], in: root)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.stdout.hasPrefix("Earmark "), r.stdout)
            for library in ["OpenBLAS", "libsndfile", "FFTW", "libsoxr", "Open MPI", "libxsmm"] {
                XCTAssertTrue(r.stdout.contains("  \(library): "), "\(tool): no \(library) in \(r.stdout)")
            }
        }
    }

    func testCompletionScriptsAreGenerated() throws {
        for (shell, marker) in [("bash", "complete"), ("zsh", "#compdef"), ("fish", "complete -c 'train'")] {
            let r = try CLI.run("train", ["--generate-completion-script", shell], in: root)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.stdout.contains(marker), "\(shell): \(r.stdout.prefix(300))")
            XCTAssertTrue(r.stdout.contains("list-modes"), shell)
        }
    }
}
