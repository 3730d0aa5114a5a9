import Foundation
import TestSupport
import XCTest

/// `training.class_weight: {class: weight, ...}` through `train`: the weights reach the loss (other
/// weights than balanced ones), and a mapping that misses one of the data's classes stops the run with
/// one line naming the config and the class.
final class ClassWeightCLITests: XCTestCase {
    func testGivenClassWeightsTrainAndAMissingClassIsOneClearError() throws {
        let root = try makeTemporaryFolder("earmark-class-weight")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, epochs: 2)
        let cfg = root.appendingPathComponent("cfg/tiny.yaml")
        let text = try String(contentsOf: cfg, encoding: .utf8)
        func write(_ classWeight: String) throws {
            try text.replacingOccurrences(of: "  batch_size: 16\n", with: "  batch_size: 16\n  class_weight: \(classWeight)\n")
                .write(to: cfg, atomically: true, encoding: .utf8)
        }
        let model = root.appendingPathComponent("models/tiny.safetensors")

        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let balanced = try ModelFiles.tensors(model)
        try write("{hum: 1, tone: 4, whistle: 0.25}")
        let given = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(given.status, 0, given.output)
        let weighted = try ModelFiles.tensors(model)
        XCTAssertEqual(Set(weighted.keys), Set(balanced.keys))
        XCTAssertNotEqual(weighted, balanced, "the given weights change the trained weights, not only the stored config")
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
            .contains("  class_weight: {hum: 1.0, tone: 4.0, whistle: 0.25}\n"))

        try write("{hum: 1, tone: 4}")
        let missing = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(missing.status, 1, missing.output)
        let lines = missing.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("cfg/tiny.yaml: training.class_weight: gives no weight for class 'whistle' "
                                              + "(the data's classes: hum, tone, whistle)"), missing.stderr)
    }
}
