import Audio
import Foundation
import TestSupport
import XCTest

/// `train`, `preprocess` and `predict` killed with SIGKILL at named moments (`EARMARK_KILL_AT`, see
/// Durable/KillPoint.swift) and then resumed or rerun: the results equal an uninterrupted run's byte
/// for byte and no temporary file survives.
final class KillResumeTests: XCTestCase {
    /// Twenty moments over a 2-epoch tiny run: cleaning, feature caching, steps of both epochs, the
    /// best model, history, both checkpoints (between the flushed temporary file and its rename) and
    /// the report (7 steps per epoch).
    static let trainMoments = [
        "clean@1", "clean@8", "write:clean/@3", "write:clean/@15", "write:manifest.json@1",
        "features@1", "write:pickles/@1",
        "step@1", "step@3", "step@6",
        "write:tiny.safetensors@1", "write:history.csv@1", "write:tiny.checkpoint.safetensors@1",
        "step@8", "step@13", "write:tiny.checkpoint.safetensors@2",
        "write:confusion.svg@1", "report@1", "write:report.md@1", "write@1",
    ]

    func testTrainKilledAtTwentyMomentsResumesToTheSameModel() throws {
        let base = try makeTemporaryFolder("earmark-kill")
        defer { try? FileManager.default.removeItem(at: base) }
        let pristine = base.appendingPathComponent("pristine")
        try TinyData.make(in: pristine, epochs: 2)
        let reference = base.appendingPathComponent("reference")
        try CrashFiles.copy(pristine, to: reference)
        let whole = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: reference)
        XCTAssertEqual(whole.status, 0, whole.output)
        let model = CrashFiles.bytes("models/tiny.safetensors", in: reference)
        XCTAssertFalse(model.isEmpty)
        XCTAssertEqual(Self.trainMoments.count, 20)
        var survived = 0
        for moment in Self.trainMoments {
            let folder = base.appendingPathComponent("kill")
            try CrashFiles.copy(pristine, to: folder)
            let killed = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: folder,
                                     environment: ["EARMARK_KILL_AT": moment])
            XCTAssertEqual(killed.status, SIGKILL, "\(moment) was never reached: \(killed.output)")
            let resumed = try CLI.run("train", ["--mode", "tiny", "--data", ".", "--resume"], in: folder)
            XCTAssertEqual(resumed.status, 0, "\(moment): \(resumed.output)")
            XCTAssertEqual(CrashFiles.bytes("models/tiny.safetensors", in: folder), model,
                           "\(moment): resumed model differs from the uninterrupted run's")
            XCTAssertEqual(CrashFiles.bytes("runs/tiny/report.md", in: folder).isEmpty, false, moment)
            XCTAssertEqual(CrashFiles.temporaries(under: folder), [], "\(moment): temporary files survive")
            if killed.status == SIGKILL && resumed.status == 0 { survived += 1 }
        }
        XCTAssertEqual(survived, 20)
    }

    /// `export --out` and `preprocess features --out` write where the user says, where no data-folder
    /// sweep passes: stopped by a signal between the flushed temporary file and its rename, they remove
    /// the temporary file and exit 128 + the signal (a `.<name>.<uuid>.tmp` stayed there for good).
    func testExportAndFeaturesStoppedBySignalLeaveNoTemporaryFile() throws {
        let base = try makeTemporaryFolder("earmark-kill-out")
        defer { try? FileManager.default.removeItem(at: base) }
        try TinyData.make(in: base)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--data", "."], in: base).status, 0)
        let outside = base.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let clip = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent("wavfiles").path)
            .sorted().first)
        for (signal, name) in [(SIGINT, "INT"), (SIGTERM, "TERM")] {
            for (tool, arguments) in [
                ("export", ["--model", "models/tiny.safetensors", "--out", "elsewhere/tiny.onnx"]),
                ("preprocess", ["features", "wavfiles/\(clip)", "--kind", "mfcc", "--out", "elsewhere/f.npy"]),
            ] {
                let r = try CLI.run(tool, arguments, in: base,
                                    environment: ["EARMARK_KILL_AT": "write@1", "EARMARK_KILL_SIGNAL": name])
                XCTAssertEqual(r.status, 128 + signal, "\(tool) \(name): \(r.output)")
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), [], "\(tool) \(name)")
            }
        }
    }

    func testPreprocessAndPredictKilledThenRerunGiveTheSameFiles() throws {
        let base = try makeTemporaryFolder("earmark-kill-pp")
        defer { try? FileManager.default.removeItem(at: base) }
        let pristine = base.appendingPathComponent("pristine")
        try TinyData.make(in: pristine)
        let reference = base.appendingPathComponent("reference")
        try CrashFiles.copy(pristine, to: reference)
        let clean = try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: reference)
        XCTAssertEqual(clean.status, 0, clean.output)
        let cleanFiles = CrashFiles.all(under: reference.appendingPathComponent("clean")).sorted()
        XCTAssertEqual(cleanFiles.count, 16, "\(cleanFiles)")     // 15 WAVs and the manifest
        for moment in ["clean@2", "clean@11", "write:clean/@6", "write:manifest.json@1"] {
            let folder = base.appendingPathComponent("kill")
            try CrashFiles.copy(pristine, to: folder)
            let killed = try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: folder,
                                     environment: ["EARMARK_KILL_AT": moment])
            XCTAssertEqual(killed.status, SIGKILL, "\(moment) was never reached: \(killed.output)")
            let rerun = try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: folder)
            XCTAssertEqual(rerun.status, 0, "\(moment): \(rerun.output)")
            XCTAssertEqual(CrashFiles.all(under: folder.appendingPathComponent("clean")).sorted(), cleanFiles, moment)
            for f in cleanFiles where f.hasSuffix(".wav") {   // the samples (libsndfile's PEAK chunk has a time)
                let path = "clean/" + f
                XCTAssertEqual(try AudioDecoder.decode(contentsOf: folder.appendingPathComponent(path)).samples,
                               try AudioDecoder.decode(contentsOf: reference.appendingPathComponent(path)).samples,
                               "\(moment): \(path) differs")
            }
            XCTAssertEqual(CrashFiles.temporaries(under: folder), [], "\(moment): temporary files survive")
        }
        // killed half-way with the manifest saved as it goes: the rerun cleans only what was not done
        // (the manifest was written at the end only, so a stopped run started over)
        let halfway = base.appendingPathComponent("halfway")
        try CrashFiles.copy(pristine, to: halfway)
        let stopped = try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: halfway,
                                  environment: ["EARMARK_KILL_AT": "write:manifest.json@2",
                                                "EARMARK_MANIFEST_SAVE_SECONDS": "0"])
        XCTAssertEqual(stopped.status, SIGKILL, stopped.output)
        let resumed = try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: halfway)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let redone = try XCTUnwrap(resumed.stdout.range(of: #"\d+ cleaned now"#, options: .regularExpression))
        // killed while saving the manifest a second time: the first save, after the first file done,
        // is on the disk, so at least that file is reused (how many more depends on the threads' timing)
        XCTAssertLessThanOrEqual(Int(resumed.stdout[redone].split(separator: " ")[0])!, 14, resumed.stdout)

        // a `preprocess --plots` killed while writing a figure: the next command on the folder removes
        // the temporary file it left in plots/ (plots/ was not among the folders swept)
        let plotted = base.appendingPathComponent("plotted")
        try CrashFiles.copy(pristine, to: plotted)
        let killedPlots = try CLI.run("preprocess", ["--mode", "tiny", "--data", ".", "--plots"], in: plotted,
                                      environment: ["EARMARK_KILL_AT": "write:plots/@2"])
        XCTAssertEqual(killedPlots.status, SIGKILL, killedPlots.output)
        XCTAssertEqual(CrashFiles.temporaries(under: plotted).count, 1)
        XCTAssertEqual(try CLI.run("preprocess", ["--mode", "tiny", "--data", "."], in: plotted).status, 0)
        XCTAssertEqual(CrashFiles.temporaries(under: plotted), [])

        let train = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: reference)
        XCTAssertEqual(train.status, 0, train.output)
        let trained = base.appendingPathComponent("trained")
        try CrashFiles.copy(reference, to: trained)
        let predict = try CLI.run("predict", ["--data", "."], in: reference)
        XCTAssertEqual(predict.status, 0, predict.output)
        let predictions = CrashFiles.bytes("predictions.csv", in: reference)
        XCTAssertFalse(predictions.isEmpty)
        for moment in ["clip@1", "clip@9", "write:predictions.csv@1"] {
            let folder = base.appendingPathComponent("kill")
            try CrashFiles.copy(trained, to: folder)
            let killed = try CLI.run("predict", ["--data", "."], in: folder, environment: ["EARMARK_KILL_AT": moment])
            XCTAssertEqual(killed.status, SIGKILL, "\(moment) was never reached: \(killed.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("predictions.csv").path))
            let rerun = try CLI.run("predict", ["--data", "."], in: folder)
            XCTAssertEqual(rerun.status, 0, "\(moment): \(rerun.output)")
            XCTAssertEqual(CrashFiles.bytes("predictions.csv", in: folder), predictions, moment)
            XCTAssertEqual(CrashFiles.temporaries(under: folder), [], "\(moment): temporary files survive")
        }
    }
}
