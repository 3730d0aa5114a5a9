import Foundation
import TestSupport
import XCTest

final class CompareTests: XCTestCase {
    func testCompareTrainsEachConfigAndWritesOneTable() throws {
        let root = try makeTemporaryFolder("earmark-compare"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        let tiny = try String(contentsOf: root.appendingPathComponent("cfg/tiny.yaml"), encoding: .utf8)
        try tiny.replacingOccurrences(of: "name: tiny", with: "name: tiny_fbank\nfeatures: {kind: logfbank}")
            .write(to: root.appendingPathComponent("cfg/tiny_fbank.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/tiny_fbank.yaml"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("| config | parameters | s/epoch | train windows/s | best val acc | test file acc | predict ms/clip |"), r.stdout)
        let table = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| tiny | 843 |"), table)
        // 26 filters: (9, 26, 1) -> conv 40 + dense (4*13*4 -> 8) 1,672 + output 27 parameters
        XCTAssertTrue(table.contains("| tiny_fbank | 1739 |"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), "same cleaning and seed: same test files")
        let csv = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 3)
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("runs/compare/compare.svg"), encoding: .utf8).hasPrefix("<svg"))
        for name in ["tiny", "tiny_fbank"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("models/\(name).safetensors").path))
        }
    }

    func testTwoClassReportHasROCAndPartialAUC() throws {
        let root = try makeTemporaryFolder("earmark-binary"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, filesPerClass: 6, classCount: 2)
        let r = try CLI.run("train", ["--mode", "tiny", "--epochs", "3"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("ROC AUC"), r.stdout)
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("ROC AUC") && report.contains("partial AUC (FPR <= 0.1"), report)
    }
}
