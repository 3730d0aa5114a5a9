import Foundation
import TestSupport
import XCTest

/// Two processes on one data folder: the second waits for the first's lock (saying so) and both
/// finish with the outputs of a solo run.
final class DataLockTests: XCTestCase {
    /// Runs the commands at the same time in `folder`.
    func together(_ commands: [(String, [String])], in folder: URL) -> [CLI.Result] {
        let results = commands.map { _ in Locked<CLI.Result?>(nil) }
        DispatchQueue.concurrentPerform(iterations: commands.count) { i in
            results[i].set(try? CLI.run(commands[i].0, commands[i].1, in: folder))
        }
        return results.map { $0.get() ?? CLI.Result(status: -1, stdout: "", stderr: "did not start") }
    }

    func testTwoTrainsThenTrainAndPredictOnOneFolder() throws {
        let base = try makeTemporaryFolder("earmark-lock")
        defer { try? FileManager.default.removeItem(at: base) }
        let solo = base.appendingPathComponent("solo"), shared = base.appendingPathComponent("shared")
        try TinyData.make(in: solo)
        try CrashFiles.copy(solo, to: shared)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--data", "."], in: solo).status, 0)
        XCTAssertEqual(try CLI.run("predict", ["--data", "."], in: solo).status, 0)

        let train = ("train", ["--mode", "tiny", "--data", "."])
        let trains = together([train, train], in: shared)
        for r in trains { XCTAssertEqual(r.status, 0, r.output) }
        let waited = trains.filter { $0.stderr.contains("waiting for the lock on") }
        XCTAssertEqual(waited.count, 1, trains.map(\.stderr).joined(separator: "\n---\n"))
        XCTAssertTrue(waited.first?.stderr.contains("held by pid") == true, waited.first?.stderr ?? "")
        XCTAssertEqual(CrashFiles.bytes("models/tiny.safetensors", in: shared),
                       CrashFiles.bytes("models/tiny.safetensors", in: solo))

        let both = together([train, ("predict", ["--data", "."])], in: shared)
        for r in both { XCTAssertEqual(r.status, 0, r.output) }
        XCTAssertEqual(CrashFiles.bytes("models/tiny.safetensors", in: shared),
                       CrashFiles.bytes("models/tiny.safetensors", in: solo))
        XCTAssertEqual(CrashFiles.bytes("predictions.csv", in: shared), CrashFiles.bytes("predictions.csv", in: solo))
        XCTAssertEqual(CrashFiles.temporaries(under: shared), [])
    }
}
