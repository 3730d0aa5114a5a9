import Foundation
import TestSupport
import XCTest

/// `training.label_smoothing` through `train`: it reaches the training loss and the validation loss
/// (Keras's val_loss uses the compiled loss, smoothing included). With smoothing s over K classes no
/// prediction can bring the loss of a row below the entropy of its target row,
/// -(1 - s + s/K) log(1 - s + s/K) - (K - 1)(s/K) log(s/K); TinyData's 3 classes are balanced, so the
/// class weights are 1 and the floor holds for the training loss too. Without smoothing the same run
/// goes below that floor.
final class LabelSmoothingCLITests: XCTestCase {
    func losses(_ root: URL) throws -> (train: [Double], validation: [Double]) {
        let rows = try String(contentsOf: root.appendingPathComponent("runs/tiny/history.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        return (rows.map { Double($0[1])! }, rows.map { Double($0[3])! })
    }

    func testSmoothingReachesTheTrainingAndValidationLoss() throws {
        let root = try makeTemporaryFolder("earmark-label-smoothing")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, epochs: 8)
        let cfg = root.appendingPathComponent("cfg/tiny.yaml")
        let text = try String(contentsOf: cfg, encoding: .utf8)
        func write(_ lines: String) throws {
            try text.replacingOccurrences(of: "  batch_size: 16\n", with: "  batch_size: 16\n  learning_rate: 0.01\n" + lines)
                .write(to: cfg, atomically: true, encoding: .utf8)
        }
        try write("")
        let run = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        let plain = try losses(root)

        try write("  label_smoothing: 0.3\n")
        let smoothed = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(smoothed.status, 0, smoothed.output)
        let (s, k) = (0.3, 3.0)
        let high = 1 - s + s / k, low = s / k
        let floor = -high * log(high) - (k - 1) * low * log(low)      // 0.639
        let smooth = try losses(root)
        XCTAssertEqual(smooth.train.count, 8)
        for (epoch, (t, v)) in zip(smooth.train, smooth.validation).enumerated() {
            XCTAssertGreaterThanOrEqual(t, floor - 1e-6, "training loss of epoch \(epoch + 1)")
            XCTAssertGreaterThanOrEqual(v, floor - 1e-6, "validation loss of epoch \(epoch + 1)")
        }
        XCTAssertLessThan(plain.validation.min()!, floor, "without smoothing the loss goes below the floor")
        XCTAssertLessThan(plain.train.min()!, floor)
        XCTAssertTrue(try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
            .contains("  label_smoothing: 0.3\n"))
    }
}
