import Foundation
import Pipeline
import XCTest

/// The configs built into the binaries equal cfg/*.yaml byte for byte: a stale embed (a config added
/// or changed without `make configs`) fails here.
final class BuiltInConfigTests: XCTestCase {
    /// The repository's cfg/ folder, found from this source file's location.
    static let cfg = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("cfg")

    func testEmbeddedConfigsEqualTheFilesByteForByte() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.cfg.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        let names = files.map { String($0.dropLast(".yaml".count)) }
        XCTAssertEqual(BuiltInConfigs.texts.keys.sorted(), names, "run `make configs`")
        for (file, name) in zip(files, names) {
            let bytes = try Data(contentsOf: Self.cfg.appendingPathComponent(file))
            XCTAssertEqual(BuiltInConfigs.texts[name].map { Data($0.utf8) }, bytes, "cfg/\(file): run `make configs`")
        }
    }

    func testEveryBuiltInConfigParses() throws {
        for (name, text) in BuiltInConfigs.texts {
            let config = try ExperimentConfig.parse(text, file: "cfg/\(name).yaml (built in)", defaultName: name)
            XCTAssertFalse(config.name.isEmpty, name)
        }
    }
}
