@testable import Pipeline
import TestSupport
import XCTest

/// `training.class_weight`: balanced, none, or a weight per class name (Keras's `class_weight` dict).
final class ClassWeightTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func parse(_ training: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(layers + "training:\n" + training, file: "cfg/x.yaml", defaultName: "x")
    }

    func testGivenWeightsParsePrintSortedAndHashApart() throws {
        let balanced = try parse("  class_weight: balanced\n")
        let c = try parse("  class_weight: {reject: 3, \"o k\": 1}\n")
        XCTAssertEqual(c.training.classWeight, .given(["reject": 3, "o k": 1]))
        XCTAssertTrue(c.yaml().contains("  class_weight: {o k: 1.0, reject: 3.0}\n"), c.yaml())
        var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        back.source = c.source
        XCTAssertEqual(back, c)
        XCTAssertNotEqual(c.configHash, balanced.configHash)
        XCTAssertEqual(try parse("  class_weight: none\n").training.classWeight, TrainingConfig.ClassWeight.none)

        let bad: [(String, String)] = [
            ("  class_weight: {ok: 0}\n", "cfg/x.yaml:6: training.class_weight.ok: "),
            ("  class_weight: {}\n", "training.class_weight: gives no class a weight"),
            ("  class_weight: {ok: 1, ok: 2}\n", "cfg/x.yaml:6: ok: is given twice in one mapping (first on line 6)"),
            ("  class_weight: auto\n", "training.class_weight: 'auto' is not one of balanced, none, or a mapping"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try parse(text), text) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    /// Class names are printed back as YAML keys (model files, cache keys), which YAML limits to 1,024
    /// characters as written: FuzzConfig found a name of tabs that parsed but printed (each tab as a
    /// 6-character escape) as text that did not. Such names are refused; the longest accepted one,
    /// quotes and backslashes included, prints and reads back.
    func testClassNamesPrintBackAsKeysYAMLCanRead() throws {
        let found = Fixtures.folder.deletingLastPathComponent().appendingPathComponent("Fuzz/config/crash-class-weight-key")
        let text = String(decoding: try Data(contentsOf: found), as: UTF8.self)
        XCTAssertThrowsError(try ExperimentConfig.parse(text, file: "crash.yaml", defaultName: "x")) {
            XCTAssertTrue("\($0)".contains("training.class_weight: class 're"), "\($0)")
            XCTAssertTrue("\($0)".contains("a class name has at most 256 characters and no control character"), "\($0)")
        }
        for name in ["a\tb", "line\nbreak", String(repeating: "x", count: 257)] {
            XCTAssertThrowsError(try parse("  class_weight: {\(yamlScalar(name)): 1}\n"), name.debugDescription)
        }
        let longest = String(repeating: "\"\\", count: 128)   // 256 characters, each escaped when printed
        let c = try parse("  class_weight: {\(yamlScalar(longest)): 2, ok: 1}\n")
        let back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        XCTAssertEqual(back.training.classWeight, .given([longest: 2, "ok": 1]))
        XCTAssertEqual(back.yaml(), c.yaml())
    }

    func testWeightsFollowTheClassOrderAndNameWhatIsMissing() throws {
        let labels: [Int32] = [0, 0, 0, 1, 2, 2]
        let classes = ["hum", "tone", "whistle"]
        XCTAssertNil(try TrainingConfig.ClassWeight.none.weights(classes: classes, labels: labels, source: "c.yaml"))
        XCTAssertEqual(try TrainingConfig.ClassWeight.balanced.weights(classes: classes, labels: labels, source: "c.yaml"),
                       WindowSampler.classWeights(labels: [0, 0, 0, 1, 2, 2], classCount: 3).map(Float.init))
        let given = TrainingConfig.ClassWeight.given(["whistle": 0.5, "hum": 1, "tone": 2])
        XCTAssertEqual(try given.weights(classes: classes, labels: labels, source: "c.yaml"), [1, 2, 0.5])
        XCTAssertThrowsError(try TrainingConfig.ClassWeight.given(["hum": 1, "tone": 2])
            .weights(classes: classes, labels: labels, source: "cfg/mine.yaml")) {
            XCTAssertEqual("\($0)", "cfg/mine.yaml: training.class_weight: gives no weight for class 'whistle' "
                           + "(the data's classes: hum, tone, whistle)")
        }
        XCTAssertThrowsError(try TrainingConfig.ClassWeight.given(["hum": 1, "tone": 2, "whistle": 1, "tones": 1])
            .weights(classes: classes, labels: labels, source: "cfg/mine.yaml")) {
            XCTAssertEqual("\($0)", "cfg/mine.yaml: training.class_weight: names class 'tones', which the data does "
                           + "not have (its classes: hum, tone, whistle)")
        }
    }
}

/// A config's name names its files (models/NAME.safetensors, runs/NAME/): '..' made runs/.. the data
/// folder itself, so the report overwrote the user's report.md there; names starting with '.' are
/// refused, whether given or taken from the file's name.
final class ConfigNameTests: XCTestCase {
    let body = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func testNamesStartingWithADotAreRefused() throws {
        for name in ["..", ".", ".hidden"] {
            XCTAssertThrowsError(try ExperimentConfig.parse("name: \"\(name)\"\n" + body, file: "cfg/x.yaml", defaultName: "x")) {
                XCTAssertEqual("\($0)", "cfg/x.yaml:1: name: '\(name)' must not start with '.' (it names files and folders)")
            }
        }
        XCTAssertThrowsError(try ExperimentConfig.parse(body, file: "cfg/..yaml", defaultName: ".")) {
            XCTAssertTrue("\($0)".contains("name: not given, and the file's name gives '.' must not start with '.'"), "\($0)")
        }
        XCTAssertEqual(try ExperimentConfig.parse("name: v1.2\n" + body, file: "cfg/x.yaml", defaultName: "x").name, "v1.2")
        XCTAssertEqual(try ExperimentConfig.parse(body, file: "cfg/my config.yaml", defaultName: "my config").name, "my config")
    }
}
