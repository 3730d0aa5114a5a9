import Pipeline
import XCTest

/// Assertions the config tests share: a config that prints back to itself, and config texts that each
/// stop with a message naming the file, line and key.
extension XCTestCase {
    /// The smallest network config's model section (a flatten and the softmax layer).
    static var minimalLayers: String {
        "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
    }

    /// `minimalLayers` with `training: <training>` (nil: no training section), parsed as cfg/x.yaml.
    func parseConfig(training: String? = nil) throws -> ExperimentConfig {
        try ExperimentConfig.parse(Self.minimalLayers + (training.map { "training: \($0)\n" } ?? ""),
                                   file: "cfg/x.yaml", defaultName: "x")
    }

    /// `c` printed and parsed again is `c`, and its hash differs from `plain`'s (the config without
    /// the key under test).
    func assertPrintsBackAndHashesApart(_ c: ExperimentConfig, from plain: ExperimentConfig,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
        back.source = c.source
        XCTAssertEqual(back, c, c.yaml(), file: file, line: line)
        XCTAssertNotEqual(c.configHash, plain.configHash, file: file, line: line)
    }

    /// Each text, parsed as `cfg/x.yaml` (after `prefix`), is rejected with an error containing its message.
    func assertConfigErrors(_ cases: [(text: String, message: String)], prefix: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
        for (text, message) in cases {
            XCTAssertThrowsError(try ExperimentConfig.parse(prefix + text, file: "cfg/x.yaml", defaultName: "x"),
                                 text, file: file, line: line) {
                XCTAssertTrue("\($0)".contains(message), "'\($0)' lacks '\(message)'", file: file, line: line)
            }
        }
    }
}
