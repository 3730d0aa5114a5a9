import Foundation
import Pipeline
import XCTest

/// The `augmentation:` section: decoding with defaults, printing (only when present), and its errors.
final class AugmentationConfigTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func parse(_ text: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(text, file: "cfg/aug.yaml", defaultName: "aug")
    }

    func assertError(_ yaml: String, _ fragments: [String], line: UInt = #line) {
        do {
            _ = try parse(yaml)
            XCTFail("no error for:\n\(yaml)", line: line)
        } catch {
            let text = String(describing: error)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", line: line) }
        }
    }

    func testEverythingOnRoundTripsAndChangesTheConfigHashOnly() throws {
        let plain = try parse(layers)
        XCTAssertNil(plain.augmentation)
        XCTAssertFalse(plain.yaml().contains("augmentation"))
        XCTAssertNil(try parse(layers + "augmentation: {}\n").augmentation, "an empty section is off")
        XCTAssertEqual(try parse(layers + "augmentation: {}\n").configHash, plain.configHash)
        let full = try parse(layers + """
            augmentation:
              gain_db: [-6, 6]
              time_shift_seconds: 0.1
              noise: {kind: folder, snr_db: [10, 30], folder: noise, probability: 0.5}
              spec_augment: {time_masks: 1}
              mixup: {}

            """)
        let a = try XCTUnwrap(full.augmentation)
        XCTAssertEqual(a.gainDB, -6...6)
        XCTAssertEqual(a.timeShiftSeconds, 0.1)
        XCTAssertEqual(a.noise?.kind, .folder)
        XCTAssertEqual(a.noise?.folder, "noise")
        XCTAssertEqual(a.noise?.probability, 0.5)
        XCTAssertEqual(a.specAugment?.timeMasks, 1)
        XCTAssertEqual(a.specAugment?.freqWidth, 8, "defaults filled in")
        XCTAssertEqual(a.mixup?.alpha, 0.2)
        XCTAssertTrue(a.needsAudio)
        XCTAssertEqual(try parse(full.yaml()), full.withSource("cfg/aug.yaml"))
        XCTAssertEqual(full.featureHash, plain.featureHash, "the feature cache is shared")
        XCTAssertNotEqual(full.configHash, plain.configHash, "a checkpoint is not resumed across augmentation")
        let masksOnly = try parse(layers + "augmentation: {spec_augment: {}}\n").augmentation
        XCTAssertEqual(masksOnly?.needsAudio, false)
    }

    func testErrorsNameTheFileLineAndKey() {
        let a = layers + "augmentation:\n"
        // (the part written under `augmentation:`, words the error must hold)
        let cases: [(part: String, words: [String])] = [
            ("gain: [1, 2]", ["cfg/aug.yaml:6", "augmentation.gain", "unknown key"]),
            ("gain_db: [6, -6]", ["augmentation.gain_db", "larger than the second"]),
            ("gain_db: 6", ["augmentation.gain_db", "two numbers"]),
            ("time_shift_seconds: 0", ["augmentation.time_shift_seconds", "out of range"]),
            ("noise: {kind: brown}", ["augmentation.noise.kind", "'brown' is not one of white, pink"]),
            ("noise: {kind: folder}", ["augmentation.noise", "needs `folder:`"]),
            ("noise: {folder: x}", ["augmentation.noise.folder", "applies to `kind: folder` only"]),
            ("noise: {probability: 2}", ["augmentation.noise.probability", "out of range"]),
            ("spec_augment: {time_masks: -1}", ["augmentation.spec_augment.time_masks"]),
            ("mixup: {alpha: 0}", ["augmentation.mixup.alpha", "out of range"]),
        ]
        for c in cases { assertError(a + "  \(c.part)\n", c.words) }
        // a part with nothing under it reads as off but would turn the part on: refused, `{}` is its defaults
        for part in ["noise", "spec_augment", "mixup"] {
            for empty in ["", " ~", " null"] {
                assertError(a + "  \(part):\(empty)\n", ["cfg/aug.yaml:6", "augmentation.\(part)",
                                                        "has nothing under it: write `\(part): {}` for its defaults"])
            }
        }
        assertError("model:\n  input: descriptors\n  layers:\n    - dense: {units: classes, activation: softmax}\n"
                    + "augmentation: {mixup: {}}\n", ["augmentation", "descriptor input"])
    }
}

extension ExperimentConfig {
    func withSource(_ source: String) -> ExperimentConfig { var c = self; c.source = source; return c }
}
