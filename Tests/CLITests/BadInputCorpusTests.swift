import Audio
import Foundation
import Pipeline
import TestSupport
import XCTest

/// docs/WORKFLOW.md §10.2, end to end on a generated corpus (BadInputCorpus): each bad file or row
/// gives one warning line naming it and the reason, everything else is processed, a summary line
/// counts, the exit status is 0 - and 1, with one error line naming the class, when a class is left
/// without usable clips. No partial or temporary file is left behind.
final class BadInputCorpusTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryFolder("earmark-badinput") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Every file below `root`, hidden ones included, as relative paths.
    func allFiles(under folder: URL) -> [String] {
        let base = folder.resolvingSymlinksInPath().path
        let walk = FileManager.default.enumerator(atPath: base)
        var out: [String] = []
        while let path = walk?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDir), !isDir.boolValue {
                out.append(path)
            }
        }
        return out.sorted()
    }

    func warningLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("warning: ") }
    }

    /// Each expected warning appears on exactly one line, with its reason; no other warning line.
    func assertWarnings(_ stderr: String, _ expected: [BadInputCorpus.Bad], file: StaticString = #filePath,
                        line: UInt = #line) {
        let lines = warningLines(stderr)
        for bad in expected {
            let matching = lines.filter { $0.contains(bad.shown) }
            XCTAssertEqual(matching.count, 1, "'\(bad.shown)' in:\n\(stderr)", file: file, line: line)
            for word in bad.reason where matching.count == 1 {
                XCTAssertTrue(matching[0].contains(word), "'\(word)' not in: \(matching[0])", file: file, line: line)
            }
        }
        XCTAssertEqual(lines.count, expected.count, stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains("\n\(expected.count) warnings\n"), stderr, file: file, line: line)
        XCTAssertFalse(stderr.contains("error:") || stderr.contains("Fatal error"), stderr, file: file, line: line)
    }

    /// No temporary file (`.name.UUID.tmp`, Foundation's atomic-write names) anywhere in the data folder.
    func assertNoTemporaryFiles(file: StaticString = #filePath, line: UInt = #line) {
        let strays = allFiles(under: root).filter {
            let name = ($0 as NSString).lastPathComponent
            return name.hasSuffix(".tmp") || (name.hasPrefix(".") && name != ".DS_Store")
        }
        XCTAssertEqual(strays, [], file: file, line: line)
    }

    func testPreprocessTrainAndPredictSkipEachBadFileWithOneLine() throws {
        let expected = try BadInputCorpus.make(in: root)
        let listed = BadInputCorpus.good.count + BadInputCorpus.badClips.count + 3
        let usable = BadInputCorpus.good.count

        // preprocess: exit 0, one line per bad file or row, a summary, the good clips in clean/
        let pre = try CLI.run("preprocess", ["--mode", "tiny"], in: root)
        XCTAssertEqual(pre.status, 0, pre.output)
        assertWarnings(pre.stderr, expected)
        XCTAssertTrue(pre.stdout.contains("clean: \(usable) of \(listed) listed files usable, "
                                          + "\(listed - usable) skipped; \(usable + 2) cleaned now, "), pre.stdout)
        let cleaned = allFiles(under: root.appendingPathComponent("clean"))
        let expectedClean = BadInputCorpus.good.map(\.clean) + BadInputCorpus.cleanedButTooShort + ["manifest.json"]
        XCTAssertEqual(cleaned, expectedClean.sorted())
        for g in BadInputCorpus.good {
            let clip = try AudioDecoder.decode(contentsOf: root.appendingPathComponent("clean/" + g.clean))
            XCTAssertEqual(clip.sampleRate, 16000, g.fname)
            XCTAssertEqual(clip.channels, 1, g.fname)
            let seconds = g.fname == "whistle cut.wav" ? 0.3 : 0.5   // the frames present of the cut file
            XCTAssertLessThanOrEqual(clip.duration, seconds + 0.01, g.fname)
            XCTAssertGreaterThan(clip.duration, seconds - 0.06, g.fname)
        }
        assertNoTemporaryFiles()

        // train on the same corpus: exit 0, the same warnings, listed in the report
        let train = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        assertWarnings(train.stderr, expected)
        XCTAssertEqual(Set(warningLines(train.stderr)), Set(warningLines(pre.stderr)))
        XCTAssertTrue(train.stdout.contains("data: \(usable) of \(listed) listed files usable, "
                                            + "\(listed - usable) skipped; 3 classes"),
                      train.stdout)
        let report = try String(contentsOf: root.appendingPathComponent("runs/tiny/report.md"), encoding: .utf8)
        let section = try XCTUnwrap(report.components(separatedBy: "## Warnings\n").dropFirst().first)
        for line in warningLines(train.stderr) {
            XCTAssertTrue(section.contains("- " + line.dropFirst("warning: ".count) + "\n"),
                          "not in the report: \(line)")
        }
        assertNoTemporaryFiles()

        // predict every file of the folder (hidden ones skipped): one warning per file without a prediction,
        // empty probabilities (not NaN) for it
        let predict = try CLI.run("predict", ["--model", "models/tiny.safetensors", "--out", "clips.csv", "wavfiles"],
                                  in: root)
        XCTAssertEqual(predict.status, 0, predict.output)
        let failing = BadInputCorpus.badClips.map(\.fname) + ["notes.txt"]
        let lines = warningLines(predict.stderr)
        for name in failing {
            XCTAssertEqual(lines.filter { $0.contains("wavfiles/\(name): no prediction: ") }.count, 1,
                           "\(name):\n\(predict.stderr)")
        }
        let summary = "\(failing.count) of \(usable + failing.count + 1) files have no prediction (see above)"
        XCTAssertTrue(lines.last?.hasSuffix(summary) == true, predict.stderr)
        // the file cut short is predicted from the frames present, said as train says it
        XCTAssertEqual(lines.filter { $0.contains("wavfiles/whistle cut.wav: cut short: the header declares 8000 "
                                                  + "frames, the file holds 4800; the frames present are used") }.count,
                       1, predict.stderr)
        XCTAssertEqual(lines.count, failing.count + 2, predict.stderr)
        let csv = try String(contentsOf: root.appendingPathComponent("clips.csv"), encoding: .utf8)
        let records = csv.split(separator: "\n").dropFirst().map { String($0) }
        XCTAssertEqual(records.count, usable + failing.count + 1)   // + unlabelled.wav, a good clip
        for record in records {
            let fields = record.split(separator: ",", omittingEmptySubsequences: false).map { $0.lowercased() }
            XCTAssertFalse(fields.contains { ["nan", "-nan", "inf", "-inf"].contains($0) }, record)
            let name = failing.first { record.contains("wavfiles/\($0)") }
            if let name {
                XCTAssertTrue(record.hasSuffix(",,,,"), "\(name): \(record)")
            } else {
                let p = record.split(separator: ",", omittingEmptySubsequences: false).suffix(4).prefix(3)
                    .compactMap { Double($0) }
                XCTAssertEqual(p.count, 3, record)
                XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-4, record)
            }
        }
        assertNoTemporaryFiles()

        // predict the rows of audio.csv: the rows the table skips (the missing file's too, as train
        // skips it) are named once and get no output row; every other file that cannot be predicted
        // gets an empty one
        let table = try CLI.run("predict", ["--model", "models/tiny.safetensors", "--data", "."], in: root)
        XCTAssertEqual(table.status, 0, table.output)
        let tableWarnings = warningLines(table.stderr)
        for bad in expected
        where bad.reason.contains(where: { $0.hasPrefix("empty label") || $0.hasSuffix("is listed again") }) {
            XCTAssertEqual(tableWarnings.filter { $0.contains(bad.shown) }.count, 1, table.stderr)
        }
        for name in BadInputCorpus.badClips.map(\.fname) {
            XCTAssertEqual(tableWarnings.filter { $0.contains("wavfiles/\(name): no prediction: ") }.count, 1,
                           "\(name):\n\(table.stderr)")
        }
        XCTAssertEqual(tableWarnings.filter { $0.contains("wavfiles/missing.wav' not found; row skipped") }.count, 1,
                       table.stderr)
        let predictions = try String(contentsOf: root.appendingPathComponent("predictions.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        XCTAssertEqual(predictions.count, listed - 3)
        XCTAssertFalse(predictions.contains { $0.hasPrefix("missing.wav") })
        XCTAssertEqual(predictions.filter { $0.contains(",,,,") }.count, BadInputCorpus.badClips.count,
                       predictions.joined(separator: "\n"))
    }

    func testAClassWithOnlyBadClipsStopsPreprocessAndTrainWithOneErrorLine() throws {
        try BadInputCorpus.make(in: root, dropGood: "whistle")
        for tool in ["preprocess", "train"] {
            let r = try CLI.run(tool, ["--mode", "tiny"], in: root)
            XCTAssertEqual(r.status, 1, "\(tool): \(r.output)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
            XCTAssertEqual(errors.count, 1, "\(tool): \(r.stderr)")
            XCTAssertTrue(errors.first?.contains("class 'whistle' has no usable clips (3 listed, all skipped)") == true,
                          "\(tool): \(r.stderr)")
            // the reasons come first, one line per bad whistle file or row
            for name in ["no channels.wav", "inf.wav", "missing.wav"] {
                XCTAssertEqual(warningLines(r.stderr).filter { $0.contains(name) }.count, 1,
                               "\(tool) \(name): \(r.stderr)")
            }
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("models").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("pickles").path))
        assertNoTemporaryFiles()
    }
}
