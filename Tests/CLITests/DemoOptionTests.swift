import Foundation
import TestSupport
import XCTest

/// `--demo NAME`: trains on the named built-in set (generated when missing) instead of audio.csv.
final class DemoOptionTests: XCTestCase {
    func testCompareOnTheStudySetAndUnknownName() throws {
        let root = try makeTemporaryFolder("earmark-demoopt"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)   // an audio.csv that --demo must leave aside
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "--demo", "study", "--epochs", "1"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("generating the study demo set"), r.stdout)
        let demo = root.appendingPathComponent("demo-study")
        let csv = try String(contentsOf: demo.appendingPathComponent("audio.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 91)
        let table = demo.appendingPathComponent("runs/compare/compare.md")
        XCTAssertTrue(FileManager.default.fileExists(atPath: table.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs").path))

        let bad = try CLI.run("train", ["--mode", "tiny", "--demo", "nope"], in: root)
        XCTAssertNotEqual(bad.status, 0)
        let message = "unknown demo set 'nope': the demo sets are quality, parts, study"
        XCTAssertTrue(bad.stderr.contains(message), bad.stderr)
    }
}
