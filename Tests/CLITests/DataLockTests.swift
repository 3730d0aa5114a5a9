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

    /// `train --data L` on a folder without audio.csv trains on the demo set it writes in L/demo: it
    /// holds L/demo's lock too, so `predict --data L/demo` waits for it (it ran alongside, reading the
    /// models and caches train was writing).
    func testTheDemoSetAFolderResolvesToIsLockedToo() throws {
        let base = try makeTemporaryFolder("earmark-lock-demo")
        defer { try? FileManager.default.removeItem(at: base) }
        try TinyData.writeConfig(in: base, epochs: 1)
        let folder = base.appendingPathComponent("L")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--data", "L"], in: base).status, 0)   // L/demo and a model
        let history = folder.appendingPathComponent("demo/runs/tiny/history.csv")
        try FileManager.default.removeItem(at: history)
        let train = Process()
        train.executableURL = CLI.products.appendingPathComponent("train")
        train.arguments = ["--mode", "tiny", "--data", "L", "--epochs", "100000", "--quiet"]
        train.currentDirectoryURL = base
        train.standardOutput = FileHandle.nullDevice; train.standardError = FileHandle.nullDevice
        try train.run()
        let deadline = Date().addingTimeInterval(120)
        while train.isRunning && !FileManager.default.fileExists(atPath: history.path) && Date() < deadline { usleep(1_000) }
        XCTAssertTrue(train.isRunning, "train is in its epochs")
        let predict = try CLI.run("predict", ["--data", "L/demo", "--quiet"], in: base) { _ in
            usleep(1_500_000)          // predict waits for the lock meanwhile
            kill(train.processIdentifier, SIGINT)
        }
        train.waitUntilExit()
        XCTAssertEqual(train.terminationStatus, 130)
        XCTAssertEqual(predict.status, 0, predict.output)
        XCTAssertTrue(predict.stderr.contains("waiting for the lock on L/demo held by pid \(train.processIdentifier)"),
                      predict.stderr)
    }

    /// A command on DATA clears the stale temporary files of DATA's own folders, not of DATA/demo*:
    /// those have locks of their own, and a command working there (holding only that lock) lost the
    /// temporary file it was writing and failed.
    func testACommandOnAFolderLeavesTheTemporaryFilesOfItsDemoSets() throws {
        let base = try makeTemporaryFolder("earmark-lock-sweep")
        defer { try? FileManager.default.removeItem(at: base) }
        try TinyData.make(in: base)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: base).status, 0)
        let demoModels = base.appendingPathComponent("L/demo/models")
        try FileManager.default.createDirectory(at: demoModels, withIntermediateDirectories: true)
        let live = demoModels.appendingPathComponent(".tiny.safetensors.\(UUID().uuidString).tmp")
        try Data("being written".utf8).write(to: live)
        let stale = base.appendingPathComponent("L/models/.tiny.safetensors.\(UUID().uuidString).tmp")
        try FileManager.default.createDirectory(at: stale.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("left by a killed run".utf8).write(to: stale)
        let r = try CLI.run("predict", ["--data", "L", "--model", "models/tiny.safetensors", "wavfiles/hum 0.wav",
                                        "--out", "p.csv"], in: base)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "L's own stale file is cleared")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path), "L/demo's is not: L/demo has its own lock")
    }
}
