import Audio
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// End to end: `train --mode forest`, `predict` with the forest, `preprocess descriptors`, and a
/// `train compare` with a forest row, on the demo's quality set (few clips).
final class ForestCLITests: XCTestCase {
    var root: URL!
    var demo: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-forest")
        let folder = try DemoData.ensure(in: DataFolder(root: root), clipsPerClass: 8) { _ in }
        demo = folder.root
        let cfg = demo.appendingPathComponent("cfg")
        try FileManager.default.createDirectory(at: cfg, withIntermediateDirectories: true)
        try """
        name: forest
        model: {kind: random_forest, n_estimators: 25, class_weight: balanced}
        split: {test: 0.25, validation: 0.2}
        """.write(to: cfg.appendingPathComponent("forest.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func read(_ path: String) throws -> String {
        try String(contentsOf: demo.appendingPathComponent(path), encoding: .utf8)
    }

    func testTrainForestThenPredictWithIt() throws {
        let train = try CLI.run("train", ["--mode", "forest"], in: demo)
        XCTAssertEqual(train.status, 0, train.output)
        XCTAssertTrue(train.stdout.contains("38 descriptors per clip"), train.stdout)
        XCTAssertTrue(train.stdout.contains("random forest: 25 trees"), train.stdout)
        XCTAssertTrue(train.stdout.contains("test: file-level accuracy"), train.stdout)
        for file in ["models/forest.safetensors", "runs/forest/report.md", "runs/forest/confusion.svg",
                     "runs/forest/importance.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: demo.appendingPathComponent(file).path), file)
        }
        let report = try read("runs/forest/report.md")
        XCTAssertTrue(report.contains("File-level accuracy") && report.contains("| column | importance |"), report)
        XCTAssertTrue(try read("runs/forest/importance.svg").hasPrefix("<svg"))
        // report.html: confusion matrix, per-class table and importance chart; a forest has no curves
        let page = try read("runs/forest/report.html")
        XCTAssertTrue(page.contains("<table class=\"per-class\">"), page)
        XCTAssertTrue(page.contains("aria-label=\"Feature importance\""), page)
        XCTAssertEqual(PageText.count("<svg", in: page), 2)
        XCTAssertFalse(page.contains("id=\"curves\""))

        let first = try Data(contentsOf: demo.appendingPathComponent("models/forest.safetensors"))
        let again = try CLI.run("train", ["--mode", "forest"], in: demo)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("(descriptor cache)"), again.stdout)
        // runs repeat bit for bit, the model file too (it held the fit's seconds)
        XCTAssertTrue(try Data(contentsOf: demo.appendingPathComponent("models/forest.safetensors")) == first,
                      "the same forest file")

        let predict = try CLI.run("predict", ["--model", "models/forest.safetensors"], in: demo)
        XCTAssertEqual(predict.status, 0, predict.output)
        let lines = try read("predictions.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "fname,label,high,low,medium,y_pred,split")
        XCTAssertEqual(lines.count, 1 + 24)
        for split in ["train", "test"] { XCTAssertTrue(predict.stdout.contains("\(split): "), predict.stdout) }
        let fields = lines[1].components(separatedBy: ",")
        let probabilities = fields[2..<5].compactMap(Double.init)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-4)
        // training files are fitted exactly by fully grown trees
        XCTAssertTrue(predict.stdout.contains("train: 100.0%"), predict.stdout)
        // the forest's file stores the audio of each file of its split, as a network's does
        let metadata = try SafeTensors.read(contentsOf: demo.appendingPathComponent("models/forest.safetensors")).metadata
        let splits = try JSONDecoder().decode([String: String].self, from: Data(try XCTUnwrap(metadata["splits"]).utf8))
        let prints = try JSONDecoder().decode([String: String].self,
                                              from: Data(try XCTUnwrap(metadata["split_fingerprints"]).utf8))
        XCTAssertEqual(Set(prints.keys), Set(splits.keys))
        XCTAssertFalse(predict.stdout.contains("unseen"), "every file of audio.csv is the one fitted on")

        // one clip by path
        let clip = try CLI.run("predict", ["--model", "models/forest.safetensors", "wavfiles", "--out", "p.csv"],
                               in: demo)
        XCTAssertEqual(clip.status, 0, clip.output)
        XCTAssertEqual(try read("p.csv").split(separator: "\n").count, 1 + 24)
        try assertShortClipsAreNotClassified(model: "models/forest.safetensors")
    }

    /// Clips that clean to one window or less, which training skips, get empty fields and a warning
    /// from a descriptor model, as from a network (a forest classified even a one-sample clip).
    func assertShortClipsAreNotClassified(model: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tone = { (n: Int) in (0..<n).map { Float(0.4 * sin(Double($0) * 0.3)) } }
        try WavWriter.write(tone(1), sampleRate: 16000, to: demo.appendingPathComponent("one.wav"))
        try WavWriter.write(tone(1600), sampleRate: 16000, to: demo.appendingPathComponent("window.wav"))
        try WavWriter.write(tone(1601), sampleRate: 16000, to: demo.appendingPathComponent("longer.wav"))
        let r = try CLI.run("predict", ["--model", model, "one.wav", "window.wav", "longer.wav", "--out", "short.csv"],
                            in: demo)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        let rows = try read("short.csv").split(separator: "\n").dropFirst().map { $0.components(separatedBy: ",") }
        XCTAssertEqual(rows.map { ($0[0] as NSString).lastPathComponent }, ["one.wav", "window.wav", "longer.wav"],
                       file: file, line: line)
        XCTAssertEqual(rows[0].dropFirst().joined(), "", "\(rows[0])", file: file, line: line)
        XCTAssertEqual(rows[1].dropFirst().joined(), "", "\(rows[1])", file: file, line: line)
        XCTAssertFalse(rows[2].last?.isEmpty ?? true, "one sample more is classified: \(rows[2])", file: file, line: line)
        for name in ["one.wav", "window.wav"] {
            XCTAssertTrue(r.stderr.contains("\(name): no prediction: "), r.stderr, file: file, line: line)
        }
    }

    func testPreprocessDescriptorsWritesCSVAndNPY() throws {
        let csv = try CLI.run("preprocess", ["descriptors", "--mode", "forest", "--out", "d.csv"], in: demo)
        XCTAssertEqual(csv.status, 0, csv.output)
        XCTAssertTrue(csv.stdout.contains("24 clips x 38 descriptors"), csv.stdout)
        let lines = try read("d.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 25)
        XCTAssertTrue(lines[0].hasPrefix("fname,label,mfcc_mean_0,"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix(",spectral_flatness_mean,spectral_flatness_std"), lines[0])
        XCTAssertEqual(lines[1].components(separatedBy: ",").count, 40)
        let npy = try CLI.run("preprocess", ["descriptors", "--mode", "forest", "--out", "d.npy"], in: demo)
        XCTAssertEqual(npy.status, 0, npy.output)
        let bytes = try Data(contentsOf: demo.appendingPathComponent("d.npy"))
        XCTAssertTrue(String(decoding: bytes.prefix(128), as: UTF8.self).contains("'shape': (24, 38)"))
        XCTAssertEqual(bytes.count, 128 + 24 * 38 * 4)
    }

    /// Writes cfg/`name`.yaml, trains it (`epochs` in the config) and returns the model file's metadata
    /// and `train`'s output.
    func trainConfig(_ name: String, _ yaml: String, epochs: Int) throws -> (metadata: [String: String], stdout: String) {
        try yaml.write(to: demo.appendingPathComponent("cfg/\(name).yaml"), atomically: true, encoding: .utf8)
        let train = try CLI.run("train", ["--mode", name], in: demo)
        XCTAssertEqual(train.status, 0, train.output)
        XCTAssertTrue(train.stdout.contains("Epoch \(epochs)/\(epochs)"), train.stdout)
        let model = try SafeTensors.read(contentsOf: demo.appendingPathComponent("models/\(name).safetensors"))
        return (model.metadata, train.stdout)
    }

    /// `predict` with models/`name`.safetensors over audio.csv: a header and one line per clip.
    func predictAll(_ name: String) throws -> [String] {
        let predict = try CLI.run("predict", ["--model", "models/\(name).safetensors"], in: demo)
        XCTAssertEqual(predict.status, 0, predict.output)
        let lines = try read("predictions.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1 + 24)
        return lines
    }

    func testDescriptorNetworkTrainsAndPredicts() throws {
        let (metadata, stdout) = try trainConfig("mlp", """
        name: mlp
        model:
          input: descriptors
          layers:
            - dense: {units: 16, activation: relu}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 30, batch_size: 8}
        split: {test: 0.25, validation: 0.2}
        """, epochs: 30)
        XCTAssertTrue(stdout.contains("test: file-level accuracy"), stdout)
        XCTAssertEqual(metadata["input_shape"], "[38]")
        XCTAssertNotNil(metadata["feature_mean"])
        let report = try read("runs/mlp/report.md")
        XCTAssertTrue(report.contains("File-level accuracy"))
        // the report names what the network read: descriptor rows, not the frame kind's windows
        XCTAssertTrue(report.contains("validation (one per clip); features: 38 descriptor columns per clip (spectral)"),
                      report)
        XCTAssertFalse(report.contains("features mfcc"), report)
        let again = try CLI.run("train", ["--mode", "mlp", "--epochs", "1"], in: demo)
        XCTAssertTrue(again.stdout.contains("(feature cache)"), again.stdout)   // the descriptor cache

        let lines = try predictAll("mlp")
        let probabilities = lines[1].components(separatedBy: ",")[2..<5].compactMap(Double.init)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-4)
        try assertShortClipsAreNotClassified(model: "models/mlp.safetensors")
    }

    /// The `envelope_lines` map (10,000 columns per clip) through `reshape` into a small CNN: trains,
    /// caches its descriptor rows, predicts; the model's input shape is the map's row.
    func testEnvelopeMapNetworkTrainsAndPredicts() throws {
        let (metadata, _) = try trainConfig("envmap", """
        name: envmap
        features: {descriptors: [envelope_lines]}
        model:
          input: descriptors
          layers:
            - reshape: {target_shape: [50, 200, 1]}
            - conv2d: {filters: 4, kernel_size: [1, 5], padding: same, activation: relu}
            - global_max_pooling2d: {}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 3, batch_size: 8}
        split: {test: 0.25, validation: 0.2}
        """, epochs: 3)
        XCTAssertEqual(metadata["input_shape"], "[10000]")
        XCTAssertTrue(try read("runs/envmap/report.md")
            .contains("features: 10000 descriptor columns per clip (envelope_lines)"))
        _ = try predictAll("envmap")
        let csv = try CLI.run("preprocess", ["descriptors", "--mode", "envmap", "--out", "map.csv"], in: demo)
        XCTAssertEqual(csv.status, 0, csv.output)
        let header = try read("map.csv").prefix { $0 != "\n" }
        XCTAssertTrue(header.hasPrefix("fname,label,envelope_line_1600_2,envelope_line_1600_4,"), String(header.prefix(80)))
        XCTAssertEqual(header.split(separator: ",").count, 2 + 10_000)
    }

    /// --epochs means nothing to a forest, fitted once: a warning says it is ignored (it was silent).
    func testEpochsForAForestAreWarnedOf() throws {
        let r = try CLI.run("train", ["--mode", "forest", "--epochs", "5", "--quiet"], in: demo)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("--epochs does not apply to a random forest, which is fitted once; ignored"), r.stderr)
    }

    func testCompareHasAForestRowOnTheSameSplit() throws {
        try """
        name: tiny
        model:
          layers:
            - flatten: {}
            - dense: {units: 8, activation: relu}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 1, batch_size: 16}
        split: {test: 0.25, validation: 0.2}
        """.write(to: demo.appendingPathComponent("cfg/tiny.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/forest.yaml"], in: demo)
        XCTAssertEqual(r.status, 0, r.output)
        let table = try read("runs/compare/compare.md")
        XCTAssertTrue(table.contains("| tiny |") && table.contains("| forest |"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), table)
        // the same split: both model files list the same test files (by name)
        let networkTests = try ModelFiles.testFiles(demo.appendingPathComponent("models/tiny.safetensors"))
        XCTAssertFalse(networkTests.isEmpty)
        XCTAssertEqual(networkTests, try ModelFiles.testFiles(demo.appendingPathComponent("models/forest.safetensors")))
        let csv = try read("runs/compare/compare.csv").split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        let forest = csv.first { $0.hasPrefix("forest,") }.map { $0.components(separatedBy: ",") }
        XCTAssertGreaterThan(Int(forest?[1] ?? "") ?? 0, 25, "parameters column: node count")
    }
}
