import Foundation
import TestSupport
import XCTest

/// A full file system (the file-size limit RLIMIT_FSIZE through `prlimit`, with SIGXFSZ ignored so
/// write() fails with EFBIG) and a read-only folder (a read-only bind mount in a private mount
/// namespace): one error line naming the file, exit 1, the previous model and checkpoint byte-equal
/// to before, no partial or temporary file.
final class DiskFullTests: XCTestCase {
    /// A trained tiny data set (model, checkpoint, report, predictions) to damage copies of.
    static let trained: URL = {
        let root = try! makeTemporaryFolder("earmark-full")
        madeTrained = true
        try! TinyData.make(in: root)
        try! "name: forest\nmodel: {kind: random_forest, n_estimators: 5}\n"
            .write(to: root.appendingPathComponent("cfg/forest.yaml"), atomically: true, encoding: .utf8)
        precondition(try! CLI.run("train", ["--mode", "tiny", "--data", "."], in: root).status == 0)
        precondition(try! CLI.run("train", ["--config", "cfg/forest.yaml", "--data", "."], in: root).status == 0)
        precondition(try! CLI.run("predict", ["--data", ".", "--model", "models/tiny.safetensors"], in: root).status == 0)
        return root
    }()

    /// Whether `trained` was made, so that the class's tear-down removes it without making it.
    nonisolated(unsafe) private static var madeTrained = false

    override class func tearDown() {
        if madeTrained { try? FileManager.default.removeItem(at: trained) }
        super.tearDown()
    }

    static let kept = ["models/tiny.safetensors", "models/tiny.checkpoint.safetensors", "predictions.csv",
                       "runs/tiny/report.md", "models/forest.safetensors", "runs/forest/report.md"]

    /// Runs `tool` with a file-size limit of `bytes`.
    func limited(_ bytes: Int, _ tool: String, _ arguments: [String], in folder: URL) throws -> CLI.Result {
        try CLI.run("/bin/sh", ["-c", "trap '' XFSZ; exec prlimit --fsize=\(bytes) \"$0\" \"$@\"",
                                CLI.products.appendingPathComponent(tool).path] + arguments, in: folder)
    }

    /// Checks the failed run: exit 1, one error line naming `file`, the kept files unchanged, no
    /// temporary file.
    func assertFailedCleanly(_ r: CLI.Result, naming file: String, folder: URL, _ what: String) {
        XCTAssertEqual(r.status, 1, "\(what): \(r.output)")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, "\(what): \(r.stderr)")
        XCTAssertTrue(errors.first?.contains(file) == true, "\(what): \(r.stderr)")
        for k in Self.kept {
            XCTAssertEqual(CrashFiles.bytes(k, in: folder), CrashFiles.bytes(k, in: Self.trained), "\(what): \(k)")
        }
        XCTAssertEqual(CrashFiles.temporaries(under: folder), [], what)
    }

    func testTrainOnAFullDiskKeepsTheModelAndCheckpoint() throws {
        let model = CrashFiles.bytes("models/tiny.safetensors", in: Self.trained).count
        let checkpoint = CrashFiles.bytes("models/tiny.checkpoint.safetensors", in: Self.trained).count
        // files written before the checkpoint (history.csv holds times: a margin for their digits)
        let before = ["models/tiny.safetensors", "runs/tiny/curves.svg", "runs/tiny/history.csv", "clean/manifest.json"]
        let largest = before.map { CrashFiles.bytes($0, in: Self.trained).count }.max()! + 64
        XCTAssertLessThan(largest, checkpoint)
        // the rerun writes the same model again (same bytes); a limit just below its size fails it
        for (limit, file) in [(model - 1, "models/tiny.safetensors"), (largest, "models/tiny.checkpoint.safetensors")] {
            let folder = try makeTemporaryFolder("earmark-full-train")
            defer { try? FileManager.default.removeItem(at: folder) }
            try CrashFiles.copy(Self.trained, to: folder)
            let r = try limited(limit, "train", ["--mode", "tiny", "--data", "."], in: folder)
            assertFailedCleanly(r, naming: file, folder: folder, "limit \(limit)")
        }
    }

    func testPredictOnAFullDiskKeepsThePreviousPredictions() throws {
        let folder = try makeTemporaryFolder("earmark-full-predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        try CrashFiles.copy(Self.trained, to: folder)
        let r = try limited(200, "predict", ["--data", ".", "--model", "models/tiny.safetensors"], in: folder)
        assertFailedCleanly(r, naming: "predictions.csv", folder: folder, "predict")
    }

    /// A file where models/ or runs/NAME/ goes passed the check that they can be written, and the run
    /// failed only after it had replaced the model (a network after its first epoch, a forest after
    /// its fit).
    func testAFileWhereAFolderGoesFailsBeforeAnyTraining() throws {
        // and, with several parts, before the first part: a later fold's or config's folder was found
        // only after the earlier ones had trained
        let cases: [(replaced: String, arguments: [String], message: String)] = [
            ("runs/tiny", ["--mode", "tiny", "--data", ".", "--seed", "7"], "runs/tiny: is a file, not a folder"),
            ("runs/forest", ["--config", "cfg/forest.yaml", "--data", ".", "--seed", "7"],
             "runs/forest: is a file, not a folder"),
            ("runs/tiny/fold2", ["--mode", "tiny", "--data", ".", "--folds", "2"], "runs/tiny/fold2: is a file, not a folder"),
            ("runs/tiny", ["compare", "cfg/forest.yaml", "cfg/tiny.yaml", "--data", ".", "--seed", "7"],
             "runs/tiny: is a file, not a folder"),
            ("runs", ["--mode", "tiny", "--data", ".", "--seed", "7"], "/runs is a file, not a folder"),
            ("runs/tiny/fold2", ["--mode", "tiny", "--data", ".", "--folds", "2"],
             "runs/tiny/fold2: is a link to nothing, where a folder goes"),
        ]
        for c in cases {
            let folder = try makeTemporaryFolder("earmark-file-folder")
            defer { try? FileManager.default.removeItem(at: folder) }
            try CrashFiles.copy(Self.trained, to: folder)
            let replaced = folder.appendingPathComponent(c.replaced)
            try? FileManager.default.removeItem(at: replaced)
            if c.message.contains("link to nothing") {
                try FileManager.default.createSymbolicLink(atPath: replaced.path, withDestinationPath: "/nonexistent/x")
            } else {
                try Data("not a folder".utf8).write(to: replaced)
            }
            let r = try CLI.run("train", c.arguments, in: folder)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stderr.contains(c.message), "\(c.replaced): \(r.stderr)")
            XCTAssertFalse(r.stdout.contains("Epoch 1/"), "\(c.replaced): trained first: \(r.stdout)")
            for k in Self.kept where !k.hasPrefix(c.replaced + "/") {
                XCTAssertEqual(CrashFiles.bytes(k, in: folder), CrashFiles.bytes(k, in: Self.trained), "\(c.replaced): \(k)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("models/tiny.fold1.safetensors").path))
        }
    }

    func testReadOnlyFoldersFailNamingTheFile() throws {
        // root writes into chmod-ed folders, so the folder is bind-mounted read-only instead
        guard try CLI.run("/usr/bin/unshare", ["-m", "true"], in: Self.trained).status == 0 else {
            // a silent pass would hide the check: it fails unless skipping is asked for
            let why = "`unshare -m` is not permitted here; read-only folders checked by hand only (docs/RELIABILITY.md)"
            if ProcessInfo.processInfo.environment["EARMARK_ALLOW_NO_UNSHARE"] == "1" {
                print("SKIPPED testReadOnlyFoldersFailNamingTheFile: \(why) (EARMARK_ALLOW_NO_UNSHARE=1)")
            } else {
                XCTFail("\(why); set EARMARK_ALLOW_NO_UNSHARE=1 to skip this check")
            }
            return
        }
        // train checks its two folders before the first step, so another seed (another model) cannot
        // replace the model before the report folder is found read-only (it did)
        // a forest too (it replaced its model, then failed on the report); and a data folder whose
        // pickles/ cannot be created (the error was Foundation's whole NSError). That copy's sources have
        // new inodes, found the same by their bytes: its read-only clean/, which cannot record them, is
        // used as it is (the run gets as far as pickles/)
        let cases: [(folder: String, tool: String, arguments: [String], file: String)] = [
            ("models", "train", ["--mode", "tiny", "--data", "."], "models: cannot be written"),
            ("runs/tiny", "train", ["--mode", "tiny", "--data", ".", "--seed", "7"], "runs/tiny: cannot be written"),
            ("runs/forest", "train", ["--config", "cfg/forest.yaml", "--data", ".", "--seed", "7"],
             "runs/forest: cannot be written"),
            (".", "predict", ["--data", ".", "--model", "models/tiny.safetensors"], "predictions.csv"),
            (".", "train", ["--mode", "tiny", "--data", "."], "pickles: cannot be created (Read-only file system)"),
        ]
        for c in cases {
            let folder = try makeTemporaryFolder("earmark-readonly")
            defer { try? FileManager.default.removeItem(at: folder) }
            try CrashFiles.copy(Self.trained, to: folder)
            if c.file.hasPrefix("pickles") { try FileManager.default.removeItem(at: folder.appendingPathComponent("pickles")) }
            let script = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\""
            let r = try CLI.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script, "sh", c.folder,
                                                     CLI.products.appendingPathComponent(c.tool).path] + c.arguments,
                                in: folder)
            assertFailedCleanly(r, naming: c.file, folder: folder, "read-only \(c.folder)")
            XCTAssertTrue(r.stderr.contains("Read-only file system"), r.stderr)
        }
    }
}
