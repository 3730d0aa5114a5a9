import Foundation
import Tensor
import TestSupport
import XCTest

/// `train --mode forest --folds K` and `train compare --folds K` with a network and a forest, and a
/// descriptor network with `--folds`, on TinyData with a `group` column.
final class ForestFoldsTests: XCTestCase {
    var root: URL!

    /// TinyData with 6 files per class and a `group` column (3 groups of 2 files per class), the
    /// tiny CNN of cfg/tiny.yaml and a 10-tree forest in cfg/forest.yaml.
    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-forest-folds")
        try TinyData.make(in: root, filesPerClass: 6)
        var csv = "fname,label,group\n"
        for label in TinyData.classes {
            for i in 0..<6 { csv += "\(label) \(i).wav,\(label),\(label)-part\(i / 2)\n" }
        }
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        try """
        name: forest
        model: {kind: random_forest, n_estimators: 10, class_weight: balanced}
        """.write(to: root.appendingPathComponent("cfg/forest.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    /// The fnames a model file (network or forest) lists as its test files.
    func testFiles(ofModel path: String) throws -> Set<String> {
        try ModelFiles.testFiles(root.appendingPathComponent(path))
    }

    func testTrainForestFoldsReportsMeanAndDeviationAndWritesEachFold() throws {
        let r = try CLI.run("train", ["--mode", "forest", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let drawn = ["5/4", "4/5"].contains { r.stdout.contains("2 folds of \($0) groups of column 'group', seed 0") }
        XCTAssertTrue(drawn, r.stdout)
        XCTAssertTrue(r.stdout.contains("test file accuracy over 2 folds (grouped by 'group'): mean "), r.stdout)
        XCTAssertTrue(r.stdout.contains("% (sample sd)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("== forest: final forest on all files"), r.stdout)
        var tested = Set<String>()
        for k in 1...2 {
            XCTAssertTrue(r.stdout.contains("fold \(k): test file accuracy "), r.stdout)
            let files = try testFiles(ofModel: "models/forest.fold\(k).safetensors")
            XCTAssertFalse(files.isEmpty)
            XCTAssertTrue(tested.isDisjoint(with: files), "a file is tested by one fold only")
            tested.formUnion(files)
            let fold = try read("runs/forest/fold\(k)/report.md")
            XCTAssertTrue(fold.contains("split by group column 'group'"), fold)
            XCTAssertTrue(fold.contains("test = fold \(k) of 2"), fold)
            XCTAssertTrue(fold.contains("File-level accuracy"), fold)
            XCTAssertTrue(exists("runs/forest/fold\(k)/importance.svg"))
        }
        XCTAssertEqual(tested.count, 18, "every file tested once")
        XCTAssertTrue(exists("models/forest.safetensors"))
        XCTAssertTrue(try testFiles(ofModel: "models/forest.safetensors").isEmpty, "the final forest has no test files")
        let csv = try read("runs/forest/folds.csv").split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertEqual(csv[0], "fold,train_files,validation_files,test_files,train_groups,validation_groups,"
                       + "test_groups,best_val_accuracy,test_file_accuracy")
        let rows = csv.dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.map { Int($0[3])! }.reduce(0, +), 18, "every file tested once")
        XCTAssertEqual(rows.map { Int($0[6])! }.reduce(0, +), 9, "every group tested once")
        for row in rows {
            XCTAssertEqual(Int(row[1])! + Int(row[2])! + Int(row[3])!, 18)
            XCTAssertNotNil(Double(row[8]).flatMap { $0.isFinite ? $0 : nil }, "test accuracy: \(row)")
        }
        let report = try read("runs/forest/report.md")
        XCTAssertTrue(report.contains("## Cross-validation"), report)
        XCTAssertTrue(report.contains("**Test file accuracy over 2 folds"), report)
        XCTAssertTrue(report.contains("every file trains or validates, no test files"), report)
        XCTAssertTrue(report.contains("| column | importance |"), report)
    }

    /// A forest cross-validation with fewer folds than the last one removes the higher folds' models
    /// and reports, as the networks' does (they stayed, unmarked), and prints each data warning once.
    func testForestFoldsRemoveAnEarlierRunsHigherFoldsAndWarnOnce() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "forest", "--folds", "3"], in: root).status, 0)
        XCTAssertTrue(exists("models/forest.fold3.safetensors"))
        XCTAssertTrue(exists("runs/forest/fold3/report.md"))
        // one recording listed twice, in two groups: the folds may part the copies, and every fold's run
        // finds the same copies
        let wav = root.appendingPathComponent("wavfiles")
        try FileManager.default.copyItem(at: wav.appendingPathComponent("hum 0.wav"),
                                         to: wav.appendingPathComponent("hum copy.wav"))
        try (try read("audio.csv") + "hum copy.wav,hum,hum-part2\n")
            .write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["--mode", "forest", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("removed the models and reports of fold 3 of forest"), r.stderr)
        XCTAssertFalse(exists("models/forest.fold3.safetensors"))
        XCTAssertFalse(exists("runs/forest/fold3"))
        XCTAssertTrue(exists("models/forest.fold2.safetensors"))
        let copies = r.stderr.components(separatedBy: "'hum 0.wav' (").count - 1
        XCTAssertGreaterThan(copies, 0, r.stderr)
        XCTAssertLessThanOrEqual(copies, 2, "once for the folds, once for the final forest's split: \(r.stderr)")
    }

    func testCompareFoldsCrossValidatesTheForestOnTheNetworksFolds() throws {
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/forest.yaml", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("| best val acc | test file acc mean | test file acc sd | predict ms/clip |"),
                      r.stdout)
        for k in 1...2 {
            let network = try testFiles(ofModel: "models/tiny.fold\(k).safetensors")
            XCTAssertFalse(network.isEmpty)
            XCTAssertEqual(try testFiles(ofModel: "models/forest.fold\(k).safetensors"), network,
                           "fold \(k): the same test files for the network and the forest")
        }
        let table = try read("runs/compare/compare.md")
        XCTAssertTrue(table.contains("mean and sample sd over the same 2 folds"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), table)
        for name in ["tiny", "forest"] {
            let cells = table.split(separator: "\n").first { $0.hasPrefix("| \(name) |") }?
                .split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            XCTAssertEqual(cells.count, 8, table)
            if cells.count == 8 {
                XCTAssertTrue(cells[5].hasSuffix("%") && cells[6].hasSuffix("%"), "mean and sd of \(name): \(table)")
            }
        }
        let folds = try read("runs/compare/compare_folds.csv").split(separator: "\n")
        XCTAssertEqual(folds.count, 5)
        XCTAssertEqual(folds.filter { $0.hasPrefix("forest,") }.map { $0.split(separator: ",")[1] }, ["1", "2"],
                       folds.joined(separator: "\n"))
        let csv = try read("runs/compare/compare.csv").split(separator: "\n")
        XCTAssertTrue(csv[0].hasSuffix(",predict_ms_per_clip,test_file_accuracy_sd"), String(csv[0]))
        let forest = csv.first { $0.hasPrefix("forest,") }?.components(separatedBy: ",") ?? []
        XCTAssertEqual(forest.count, 8)
        XCTAssertNotNil(Double(forest.last ?? "").flatMap { $0.isFinite ? $0 : nil }, "forest sd: \(forest)")
        XCTAssertEqual(try read("runs/forest/folds.csv").split(separator: "\n").map { $0.split(separator: ",")[3] },
                       try read("runs/tiny/folds.csv").split(separator: "\n").map { $0.split(separator: ",")[3] })
    }

    func testDescriptorNetworkCrossValidates() throws {
        try """
        name: mlp
        model:
          input: descriptors
          layers:
            - dense: {units: 8, activation: relu}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 2, batch_size: 8}
        """.write(to: root.appendingPathComponent("cfg/mlp.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["--mode", "mlp", "--folds", "2"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("test file accuracy over 2 folds (grouped by 'group'): mean "), r.stdout)
        var tested = Set<String>()
        for k in 1...2 { tested.formUnion(try testFiles(ofModel: "models/mlp.fold\(k).safetensors")) }
        XCTAssertEqual(tested.count, 18, "every file tested once")
        let csv = try read("runs/mlp/folds.csv").split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertTrue(try read("runs/mlp/report.md").contains("## Cross-validation"))
    }
}
