import Foundation
import Pipeline
import TestSupport
import XCTest

/// Config files: the shipped ones build the reference networks; mistakes name file, line and key.
final class ConfigTests: XCTestCase {
    static let cfg = Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("cfg")

    func load(_ name: String) throws -> ExperimentConfig {
        try ExperimentConfig.load(contentsOf: Self.cfg.appendingPathComponent("\(name).yaml"))
    }

    func testShippedConfigsBuildTheReferenceNetworks() throws {
        let conv = try load("conv"), time = try load("time")
        XCTAssertEqual(conv.inputShape, [9, 13, 1])
        XCTAssertEqual(time.inputShape, [9, 13])
        XCTAssertEqual(try conv.makeModel(classes: 10, seed: 0).parameterCount, 499_402)
        XCTAssertEqual(try time.makeModel(classes: 10, seed: 0).parameterCount, 216_018)
        XCTAssertEqual(conv.training.epochs, 10)
        XCTAssertEqual(conv.training.batchSize, 32)
        XCTAssertEqual(conv.features.framesPerWindow, 9)
        for other in ["conv_fbank", "conv_small"] {
            XCTAssertNoThrow(try load(other).makeModel(classes: 3, seed: 0), other)
        }
        XCTAssertEqual(try load("conv_fbank").inputShape, [9, 26, 1])
    }

    func testPrintedConfigParsesBackToTheSameConfig() throws {
        for name in ["conv", "time", "conv_fbank", "conv_small"] {
            let c = try load(name)
            var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
            back.source = c.source
            XCTAssertEqual(back, c, name)
        }
        XCTAssertNotEqual(try load("conv").featureHash, try load("conv_fbank").featureHash)
        XCTAssertEqual(try load("conv").featureHash, try load("time").featureHash, "same features, same cache key")
    }

    func assertConfigError(_ yaml: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            let c = try ExperimentConfig.parse(yaml, file: "cfg/bad.yaml", defaultName: "bad")
            _ = try c.makeModel(classes: 3, seed: 0)
            XCTFail("no error for:\n\(yaml)", file: file, line: line)
        } catch {
            let text = String(describing: error)
            for f in fragments {
                XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", file: file, line: line)
            }
        }
    }

    /// A config that is not UTF-8 is named with its line and what to do (Foundation's message was "The
    /// file isn't in the correct format", with no line).
    func testAConfigThatIsNotUTF8NamesTheLine() throws {
        let folder = try makeTemporaryFolder("earmark-config-text")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = "name: x\n# caf\u{E9}\nmodel:\n  layers:\n    - flatten: {}\n"
        let cases: [(Data, String)] = [
            (Data("name: x\n".utf8) + Data([0x23, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A]) + Data("model: {}\n".utf8),
             ":2: is not UTF-8 text (a byte of another encoding, such as Latin-1); save the config as UTF-8"),
            (Data([0xFF, 0xFE]) + plain.data(using: .utf16LittleEndian)!, ":1: is UTF-16 text; save the config as UTF-8"),
            (plain.data(using: .utf16LittleEndian)!, ":1: is UTF-16 or UTF-32 text; save the config as UTF-8"),
            (Data([0xFF, 0xFE, 0, 0]) + plain.data(using: .utf32LittleEndian)!, ":1: is UTF-32 text"),
        ]
        for (bytes, message) in cases {
            let url = folder.appendingPathComponent("x.yaml")
            try bytes.write(to: url)
            XCTAssertThrowsError(try ExperimentConfig.load(contentsOf: url)) { error in
                XCTAssertEqual("\(error)".hasPrefix(url.path + message), true, "\(error)")
            }
        }
        try Data((plain + "    - dense: {units: classes, activation: softmax}\n").utf8)
            .write(to: folder.appendingPathComponent("y.yaml"))
        XCTAssertEqual(try ExperimentConfig.load(contentsOf: folder.appendingPathComponent("y.yaml")).name, "x",
                       "UTF-8 with an accented comment reads")
        // and with a byte-order mark, as some editors save it (it was refused as invalid YAML at line 2)
        try (Data([0xEF, 0xBB, 0xBF]) + Data((plain + "    - dense: {units: classes, activation: softmax}\n").utf8))
            .write(to: folder.appendingPathComponent("z.yaml"))
        XCTAssertEqual(try ExperimentConfig.load(contentsOf: folder.appendingPathComponent("z.yaml")).name, "x")
    }

    /// An unknown key beside a `kind` lists that kind's keys only, once each (a schedule's listed
    /// `decay_steps` three times and the other kinds' keys; a forest's offered `input` and `layers`).
    func testAnUnknownKeyListsOnlyItsKindsKeys() {
        assertConfigError("model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
                          + "training:\n  learning_rate_schedule: {kind: cosine_decay, decay_step: 10}\n",
                          ["training.learning_rate_schedule.decay_step", "unknown key",
                           "allowed here: kind, decay_steps, alpha, warmup_target, warmup_steps"])
        // features: the kind's keys only (it offered logmel's n_mels to mfcc, then refused it)
        assertConfigError("features: {kind: mfcc, n_mel: 64}\nmodel:\n  layers:\n    - flatten: {}\n"
                          + "    - dense: {units: classes, activation: softmax}\n", ["features.n_mel", "unknown key"])
        do {
            _ = try ExperimentConfig.parse("features: {kind: mfcc, n_mel: 64}\n", file: "cfg/bad.yaml", defaultName: "bad")
            XCTFail("no error")
        } catch {
            XCTAssertFalse("\(error)".contains("n_mels"), "\(error)")
        }
        assertConfigError("features: {kind: mfcc, n_mels: 64}\nmodel:\n  layers:\n    - flatten: {}\n"
                          + "    - dense: {units: classes, activation: softmax}\n",
                          ["features.n_mels", "does not apply to kind mfcc"])
        for callback in ["reduce_lr_on_plateau", "model_checkpoint"] {     // nothing under it: refused, as augmentation's parts
            assertConfigError("model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
                              + "training:\n  \(callback):\n",
                              ["cfg/bad.yaml:6", "training.\(callback)", "has nothing under it: write `\(callback): {}`"])
        }
        assertConfigError("model:\n  kind: random_forest\n  n_estimator: 10\n",
                          ["model.n_estimator", "unknown key", "allowed here: kind, n_estimators"])
        for fragment in ["input", "layers"] {
            do {
                _ = try ExperimentConfig.parse("model:\n  kind: random_forest\n  n_estimator: 10\n", file: "cfg/bad.yaml",
                                               defaultName: "bad")
                XCTFail("no error")
            } catch {
                XCTAssertFalse("\(error)".contains(" \(fragment),"), "\(error)")
            }
        }
    }

    func testMistakesNameTheFileLineAndKey() {
        let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
        assertConfigError("nmae: x\n" + layers, ["cfg/bad.yaml:1", "nmae", "unknown key"])
        assertConfigError(layers + "training:\n  epochs: ten\n",
                          ["cfg/bad.yaml:6", "training.epochs", "expected an integer"])
        assertConfigError(layers + "training:\n  batch_size: 0\n", ["training.batch_size", "out of range"])
        // a number too small for a 32-bit float became 0 in the network (training learned nothing and its
        // model file's stored config could not be read back)
        for (key, text) in [("training.clipvalue", "training:\n  clipvalue: 1e-50\n"),
                            ("training.global_clipnorm", "training:\n  global_clipnorm: 1e-39\n"),
                            ("training.learning_rate", "training:\n  learning_rate: 1e-45\n"),
                            // subnormal Doubles compare as 0 under denormals-are-zero: said too small, not
                            // out of range, and not let through where 0 is allowed
                            ("training.learning_rate", "training:\n  learning_rate: 1e-320\n"),
                            ("training.weight_decay", "training:\n  weight_decay: 1e-320\n")] {
            assertConfigError(layers + text, ["cfg/bad.yaml:6", key, "is too small", "1.1754944e-38"])
        }
        assertConfigError("model:\n  layers:\n    - batch_normalization: {epsilon: 1e-40}\n    - flatten: {}\n"
                          + "    - dense: {units: classes, activation: softmax}\n",
                          ["model.layers[0].batch_normalization.epsilon", "is too small"])
        assertConfigError("model:\n  layers:\n    - conv2d: {filters: 4, kernal_size: 3}\n",
                          ["model.layers[0].conv2d.kernal_size", "unknown key"])
        assertConfigError("model:\n  layers:\n    - convolution: {filters: 4}\n",
                          ["model.layers[0].convolution", "unknown layer type"])
        assertConfigError("features:\n  kind: wavelet\n" + layers,
                          ["features.kind", "'wavelet' is not one of mfcc, logfbank"])
        assertConfigError("model:\n  layers:\n    - dense: {units: 8, activation: relu}\n",
                          ["model.layers[0]", "softmax"])
        assertConfigError("training: {epochs: 3}\n", ["cfg/bad.yaml", "model", "missing"])
        assertConfigError("model: [unclosed\n", ["cfg/bad.yaml:2: is not valid YAML at column 1: "])
        // one long line: named by line and column, not quoted whole (with a caret line as long)
        let deep = "name: z\nfoo: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        assertConfigError(deep, ["cfg/bad.yaml:2: is not valid YAML at column "])
        XCTAssertThrowsError(try ExperimentConfig.parse(deep, file: "cfg/bad.yaml", defaultName: "bad")) { error in
            XCTAssertLessThan("\(error)".count, 300, "\(error)".prefix(300) + "...")
        }
        // a key given twice is named at its second line (the parser named the mapping and quoted the file)
        assertConfigError(layers + "training:\n  epochs: 1\n  batch_size: 16\n  epochs: 2\n",
                          ["cfg/bad.yaml:8: epochs: is given twice in one mapping (first on line 6)"])
        assertConfigError("model:\n  layers:\n    - conv2d: {filters: 4, filters: 5}\n",
                          ["cfg/bad.yaml:3: filters: is given twice in one mapping (first on line 3)"])
    }

    func testAPoolThatShrinksADimensionToZeroIsAnErrorNamingTheLayer() {
        // 9x13 -> pool 2 -> 4x6 -> pool 2 -> 2x3 -> pool 2 -> 1x1 -> pool 2 -> 0: impossible
        let pools = String(repeating: "    - max_pooling2d: {pool_size: [2, 2]}\n", count: 4)
        assertConfigError("model:\n  layers:\n" + pools
                          + "    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n",
                          ["cfg/bad.yaml:6: model.layers[3]", "MaxPooling2D"])   // the line of the layer too
        assertConfigError("model:\n  input: sequence\n  layers:\n    - conv2d: {filters: 4}\n    - flatten: {}\n"
                          + "    - dense: {units: classes, activation: softmax}\n",
                          ["cfg/bad.yaml:4: model.layers[0]", "Conv2D"])
        assertConfigError("model:\n  layers:\n    - flatten: {}\n    - dense: {units: 5, activation: softmax}\n",
                          ["dense.units", "3 classes"])
    }
}
