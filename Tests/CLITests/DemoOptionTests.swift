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

    /// A --data folder that does not exist (a mistyped path) is an error, not the demo data: only an
    /// existing folder without audio.csv means the built-in set. Nothing is created.
    func testAMissingDataFolderIsAnErrorNotTheDemoData() throws {
        let root = try makeTemporaryFolder("earmark-nodata"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.writeConfig(in: root, epochs: 1)
        for arguments in [["--mode", "tiny", "--data", "mydta"], ["compare", "cfg/tiny.yaml", "--data", "mydta"],
                          ["--mode", "tiny", "--data", "cfg/tiny.yaml"]] {
            let r = try CLI.run("train", arguments, in: root)
            XCTAssertEqual(r.status, 1, r.output)
            let problem = arguments.last == "mydta" ? "mydta: no such folder." : "tiny.yaml: is a file, not a folder."
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(problem), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertFalse(r.stdout.contains("demo"), r.stdout)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["cfg"])

        // a folder with recordings whose table is misnamed: an error, not the demo data (it trained on the
        // demo set, saying so only on standard output, which --quiet silences)
        let data = root.appendingPathComponent("mydata")
        try TinyData.make(in: data)
        try FileManager.default.moveItem(at: data.appendingPathComponent("audio.csv"), to: data.appendingPathComponent("Audio.csv"))
        let misnamed = try CLI.run("train", ["--mode", "tiny", "--data", "mydata", "--quiet"], in: root)
        XCTAssertEqual(misnamed.status, 1, misnamed.output)
        XCTAssertTrue(misnamed.stderr.hasPrefix("error: ") && misnamed.stderr.contains("mydata/audio.csv: does not exist, "
                                                                                     + "but wavfiles/ does"), misnamed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.appendingPathComponent("demo").path))
    }

    /// A folder without audio.csv or recordings: the demo data, said on standard error even with --quiet.
    func testTheDemoDataIsAnnouncedOnStandardError() throws {
        let root = try makeTemporaryFolder("earmark-demonote"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.writeConfig(in: root, epochs: 1)
        let r = try CLI.run("train", ["--mode", "tiny", "--quiet"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("warning: no audio.csv in \(root.path): using the built-in demo data set"), r.stderr)
        let p = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(p.status, 0, p.output)
        XCTAssertTrue(p.stderr.contains("warning: no audio.csv in \(root.path): predicting the demo data set in "), p.stderr)
    }

    /// `--demo-seed N`: the same recipe from another seed, into its own folder beside the shipped set;
    /// without `--demo` it is refused before any work.
    func testDemoSeedMakesADevelopmentSetInItsOwnFolder() throws {
        let root = try makeTemporaryFolder("earmark-demoseed"); defer { try? FileManager.default.removeItem(at: root) }
        let r = try CLI.run("preprocess", ["--demo", "study", "--demo-seed", "7"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let demo = root.appendingPathComponent("demo-study-seed7")
        XCTAssertTrue(r.stdout.contains("into \(demo.path)"), r.stdout)
        let marker = try String(contentsOf: demo.appendingPathComponent("demo.json"), encoding: .utf8)
        XCTAssertTrue(marker.contains("\"seed\": 7,"), marker)
        XCTAssertEqual(try String(contentsOf: demo.appendingPathComponent("audio.csv"), encoding: .utf8)
            .split(separator: "\n").count, 91)
        XCTAssertTrue(FileManager.default.fileExists(atPath: demo.appendingPathComponent("clean").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("demo-study").path))

        for tool in ["train", "preprocess"] {
            let bad = try CLI.run(tool, ["--demo-seed", "7"], in: root)
            XCTAssertNotEqual(bad.status, 0, "\(tool): \(bad.output)")
            XCTAssertTrue(bad.stderr.contains("--demo-seed needs --demo NAME"), "\(tool): \(bad.stderr)")
        }
    }
}
