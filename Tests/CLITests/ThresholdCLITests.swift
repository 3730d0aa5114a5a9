import Foundation
import TestSupport
import XCTest

/// The decision threshold of a two-class check, end to end: `train` chooses it on the validation
/// files and states what it gives on the test files; `predict --threshold` applies it (table, clips,
/// `--stream`) and then gives exactly those test counts; bad values are named.
final class ThresholdCLITests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-threshold")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// p(tone) of every clip event of `predict --json`, by file.
    func toneProbabilities(_ lines: [[String: Any]]) -> [String: Double] {
        var out: [String: Double] = [:]
        for l in lines where l["event"] as? String == "clip" {
            if let file = l["file"] as? String, let p = l["probabilities"] as? [String: Double] { out[file] = p["tone"] }
        }
        return out
    }

    func testTrainChoosesOnValidationAndPredictReproducesItsTestCounts() throws {
        // two classes (hum, tone; tone positive), 2 validation and 3 test files of each
        try TinyData.make(in: root, filesPerClass: 13, epochs: 3, classCount: 2)
        let train = try CLI.run("train", ["--mode", "tiny", "--json"], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        let result = try XCTUnwrap(try jsonLines(train.stdout).last)
        let test = try XCTUnwrap(result["test"] as? [String: Any], train.stdout)
        let op = try XCTUnwrap(test["operating_point"] as? [String: Any], train.stdout)
        XCTAssertEqual(op["positive_class"] as? String, "tone")
        XCTAssertEqual(op["max_fpr"] as? Double, 0.1)
        let validation = try XCTUnwrap(op["validation"] as? [String: Any])
        XCTAssertEqual(validation["negatives"] as? Int, 2, "chosen on the validation files, not the 3 + 3 test files")
        XCTAssertEqual(validation["positives"] as? Int, 2)
        XCTAssertEqual(validation["false_positives"] as? Int, 0, "2 negatives: FPR <= 0.1 allows none")
        let threshold = try XCTUnwrap(op["threshold"] as? Double, "hum and tone separate: \(op)")
        let counts = try XCTUnwrap(op["test"] as? [String: Any])
        XCTAssertEqual(counts["negatives"] as? Int, 3)
        XCTAssertEqual(counts["positives"] as? Int, 3)

        // the report says the same, with the option to use
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Decision threshold chosen on the 4 validation files"), report)
        XCTAssertTrue(report.contains("`predict --threshold "), report)

        // predict with that threshold: the test files' flags are the counts train gave, and every
        // file's class follows p(tone) >= threshold
        let predict = try CLI.run("predict", ["--json", "--threshold", "\(Float(threshold))"], in: root)
        XCTAssertEqual(predict.status, 0, predict.output)
        let lines = try jsonLines(predict.stdout)
        let clips = lines.filter { $0["event"] as? String == "clip" }
        XCTAssertEqual(clips.count, 26)
        var fp = 0, tp = 0
        for clip in clips {
            let p = try XCTUnwrap((clip["probabilities"] as? [String: Double])?["tone"])
            let expected = Float(p) >= Float(threshold) ? "tone" : "hum"
            XCTAssertEqual(clip["prediction"] as? String, expected, "\(clip)")
            guard clip["split"] as? String == "test" else { continue }
            if expected == "tone" { if clip["label"] as? String == "tone" { tp += 1 } else { fp += 1 } }
        }
        XCTAssertEqual(fp, counts["false_positives"] as? Int, "\(counts)")
        XCTAssertEqual(tp, counts["true_positives"] as? Int, "\(counts)")
        let decision = try XCTUnwrap(lines.last?["decision"] as? [String: Any])
        XCTAssertEqual(decision["positive_class"] as? String, "tone")
    }

    func testEveryOutputFollowsTheThresholdAndBadValuesAreNamed() throws {
        try TinyData.make(in: root, filesPerClass: 4, classCount: 2)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let plain = toneProbabilities(try jsonLines(try CLI.run("predict", ["--json", "wavfiles"], in: root).stdout))
        XCTAssertEqual(plain.count, 8)
        // a threshold between the files' probabilities, so that both sides are taken
        let sorted = plain.values.sorted()
        let t = Float((sorted[3] + sorted[4]) / 2)

        // clips given: the text table and the CSV
        let clips = try CLI.run("predict", ["wavfiles", "--threshold", "\(t)", "--out", "clips.csv"], in: root)
        XCTAssertEqual(clips.status, 0, clips.output)
        XCTAssertTrue(clips.stdout.contains("decision: `tone` when p(tone) >= \(t), else `hum`"), clips.stdout)
        let csv = try String(contentsOf: root.appendingPathComponent("clips.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        XCTAssertEqual(csv.count, 8)
        var sides = Set<String>()
        for row in csv {
            let file = String(row[0]), predicted = String(row.last!)
            let p = try XCTUnwrap(plain[file], file)
            XCTAssertEqual(predicted, Float(p) >= t ? "tone" : "hum", file)
            sides.insert(predicted)
        }
        XCTAssertEqual(sides, ["hum", "tone"])

        // --positive-class hum: hum whenever p(hum) >= 0.99, so almost everything is tone
        let strict = try CLI.run("predict", ["wavfiles", "--threshold", "0.99", "--positive-class", "hum",
                                             "--json"], in: root)
        XCTAssertEqual(strict.status, 0, strict.output)
        for clip in try jsonLines(strict.stdout) where clip["event"] as? String == "clip" {
            let p = try XCTUnwrap((clip["probabilities"] as? [String: Double])?["hum"])
            XCTAssertEqual(clip["prediction"] as? String, Float(p) >= 0.99 ? "hum" : "tone", "\(clip)")
        }

        // --stream: each window's class, at a threshold between one clip's window probabilities
        let raw = root.appendingPathComponent("tone.raw")
        try RawPCM.dataChunk(ofWav: root.appendingPathComponent("wavfiles/tone 0.wav")).write(to: raw)
        func streamed(_ options: [String]) throws -> [(p: Float, class: String?)] {
            let r = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors", "--json"] + options,
                                in: root, input: raw)
            XCTAssertEqual(r.status, 0, r.output)
            return try jsonLines(r.stdout).map {
                (Float(try XCTUnwrap(($0["probabilities"] as? [String: Double])?["tone"])), $0["class"] as? String)
            }
        }
        let windowP = try streamed([]).map(\.p).sorted()
        XCTAssertGreaterThan(windowP.count, 2)
        let middle = (windowP[windowP.count / 2 - 1] + windowP[windowP.count / 2]) / 2
        let windows = try streamed(["--threshold", "\(middle)"])
        for w in windows { XCTAssertEqual(w.class, w.p >= middle ? "tone" : "hum", "\(w)") }
        XCTAssertEqual(Set(windows.compactMap(\.class)), ["hum", "tone"], "the threshold splits the windows")

        // bad values: one line naming the option or the model
        let model = root.appendingPathComponent("models/tiny.safetensors").path
        for (arguments, message) in [
            (["--threshold", "1.5"], "--threshold must be a probability in [0, 1], not '1.5'"),
            (["--threshold", "nan"], "--threshold must be a probability in [0, 1], not 'nan'"),
            (["--positive-class", "tone"], "--positive-class goes with --threshold"),
            (["--threshold", "0.5", "--positive-class", "buzz"],
             "\(model): has no class 'buzz' for --positive-class (its classes: hum, tone)"),
        ] {
            let r = try CLI.run("predict", ["--model", model] + arguments + ["wavfiles"], in: root)
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(arguments)")
        }
    }

    /// `--folds K`: the final model's threshold is chosen on the folds' test files pooled, each file's
    /// probability from the fold model that did not train on it; at that threshold those pooled
    /// predictions give the counts train reports, within its false-positive budget.
    func testCrossValidationChoosesOnTheOutOfFoldTestFiles() throws {
        try TinyData.make(in: root, filesPerClass: 9, epochs: 3, classCount: 2)
        let train = try CLI.run("train", ["--mode", "tiny", "--folds", "3", "--json"], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        let result = try XCTUnwrap(try jsonLines(train.stdout).last)
        XCTAssertTrue(result["test"] is NSNull, "the final model has no test files")
        let cv = try XCTUnwrap(result["cross_validation"] as? [String: Any], train.stdout)
        XCTAssertEqual(cv["folds"] as? Int, 3)
        let op = try XCTUnwrap(cv["operating_point"] as? [String: Any], "\(cv)")
        XCTAssertTrue(op["test"] is NSNull)
        let chosen = try XCTUnwrap(op["validation"] as? [String: Any])
        XCTAssertEqual(chosen["negatives"] as? Int, 9, "every hum file once, out of fold")
        XCTAssertEqual(chosen["positives"] as? Int, 9)
        let threshold = Float(try XCTUnwrap(op["threshold"] as? Double, "\(op)"))

        var fp = 0, tp = 0, scored = 0
        for k in 1...3 {
            let r = try CLI.run("predict", ["--json", "--model", "models/tiny.fold\(k).safetensors"], in: root)
            XCTAssertEqual(r.status, 0, r.output)
            for clip in try jsonLines(r.stdout) where clip["split"] as? String == "test" {
                scored += 1
                let p = Float(try XCTUnwrap((clip["probabilities"] as? [String: Double])?["tone"]))
                guard p >= threshold else { continue }
                if clip["label"] as? String == "tone" { tp += 1 } else { fp += 1 }
            }
        }
        XCTAssertEqual(scored, 18)
        XCTAssertEqual(fp, chosen["false_positives"] as? Int)
        XCTAssertEqual(tp, chosen["true_positives"] as? Int)
        XCTAssertLessThanOrEqual(Double(fp) / 9, 0.1)
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Decision threshold chosen on the 18 test files of the 3 folds"), report)
        let page = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Over the 18 test files of the 3 folds pooled, positive class <code>tone</code>: "
                                    + "ROC AUC "), page)
        XCTAssertTrue(page.contains("Decision threshold chosen on the 18 test files of the 3 folds"), page)
    }

    func testAThreeClassModelRefusesAThreshold() throws {
        try TinyData.make(in: root, filesPerClass: 3)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let r = try CLI.run("predict", ["wavfiles", "--threshold", "0.5"], in: root)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("models/tiny.safetensors: has 3 classes (hum, tone, whistle): "
                                        + "--threshold applies to a two-class model"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("predictions.csv").path))
    }
}
