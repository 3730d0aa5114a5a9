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
        XCTAssertTrue(r.stdout.contains("| config | parameters | s/epoch | train windows/s | best val acc "
                                        + "| test file acc | predict ms/clip |"), r.stdout)
        let table = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| tiny | 843 |"), table)
        // 26 filters: (9, 26, 1) -> conv 40 + dense (4*13*4 -> 8) 1,672 + output 27 parameters
        XCTAssertTrue(table.contains("| tiny_fbank | 1739 |"), table)
        XCTAssertFalse(table.contains("did not keep the same test files"), "same cleaning and seed: same test files")
        let csv = try String(contentsOf: root.appendingPathComponent("runs/compare/compare.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 3)
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("runs/compare/compare.svg"), encoding: .utf8)
            .hasPrefix("<svg"))
        for name in ["tiny", "tiny_fbank"] {
            XCTAssertTrue(FileManager.default.fileExists(
                atPath: root.appendingPathComponent("models/\(name).safetensors").path))
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

    /// Issue 16: `train compare` gives a config (here the second, an LSTM with dropout like
    /// cfg/time.yaml) the same weights, bit for bit, as `train` of that config alone, with the same
    /// seed and replica count, and with OpenBLAS's multithreaded default (2 threads) at start-up.
    func testCompareGivesTheSecondConfigTheWeightsOfTrainingItAlone() throws {
        let alone = try makeTemporaryFolder("earmark-alone"), compared = try makeTemporaryFolder("earmark-compared")
        defer { for f in [alone, compared] { try? FileManager.default.removeItem(at: f) } }
        let lstm = """
            name: small_lstm
            model:
              input: sequence
              layers:
                - lstm: {units: 160, return_sequences: true}
                - dropout: {rate: 0.5}
                - time_distributed: {dense: {units: 8, activation: relu}}
                - flatten: {}
                - dense: {units: classes, activation: softmax}
            training: {epochs: 2, batch_size: 16}
            split: {test: 0.2, validation: 0.2}
            """
        for root in [alone, compared] {
            try TinyData.make(in: root, epochs: 2)
            try lstm.write(to: root.appendingPathComponent("cfg/small_lstm.yaml"), atomically: true, encoding: .utf8)
        }
        let environment = ["OPENBLAS_NUM_THREADS": "2", "EARMARK_THREADS": "2"]
        let a = try CLI.run("train", ["--config", "cfg/small_lstm.yaml"], in: alone, environment: environment)
        XCTAssertEqual(a.status, 0, a.output)
        let c = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/small_lstm.yaml"], in: compared,
                            environment: environment)
        XCTAssertEqual(c.status, 0, c.output)
        let model = "models/small_lstm.safetensors"
        let expected = try Data(contentsOf: alone.appendingPathComponent(model))
        XCTAssertEqual(try Data(contentsOf: compared.appendingPathComponent(model)), expected,
                       "the second config of train compare trained to other weights than alone")
        func losses(_ root: URL) throws -> [String] {   // history.csv without the seconds column
            try String(contentsOf: root.appendingPathComponent("runs/small_lstm/history.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        XCTAssertEqual(try losses(compared), try losses(alone))
    }
}
