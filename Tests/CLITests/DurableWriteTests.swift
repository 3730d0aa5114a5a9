import Foundation
import TestSupport
import XCTest

/// After a successful `train` and `predict`, no temporary file of the atomic writer survives anywhere
/// under the data folder (clean WAVs, manifest, caches, models, checkpoints, reports, predictions).
final class DurableWriteTests: XCTestCase {
    func testTrainAndPredictLeaveNoTemporaryFile() throws {
        let root = try makeTemporaryFolder("earmark-durable")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        let before = CrashFiles.all(under: root)
        let train = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        let predict = try CLI.run("predict", ["--data", "."], in: root)
        XCTAssertEqual(predict.status, 0, predict.output)
        let files = CrashFiles.all(under: root)
        for written in ["models/tiny.safetensors", "models/tiny.checkpoint.safetensors", "clean/manifest.json",
                        "runs/tiny/report.md", "predictions.csv"] {
            XCTAssertTrue(files.contains(written), "\(written) missing from \(files.sorted())")
        }
        XCTAssertTrue(files.contains { $0.hasPrefix("clean/") && $0.hasSuffix(".wav") }, "no clean WAV")
        XCTAssertTrue(files.contains { $0.hasPrefix("pickles/") }, "no feature cache")
        let stray = files.subtracting(before).filter { path in
            let name = (path as NSString).lastPathComponent
            return name.hasPrefix(".") || name.hasSuffix(".tmp") || name.contains(".tmp.") || name.hasSuffix("~")
        }
        XCTAssertEqual(stray.sorted(), [], "temporary files left behind")
    }
}
