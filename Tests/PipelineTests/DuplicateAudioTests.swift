import Audio
import Foundation
@testable import Pipeline
import Tensor
import TestSupport
import XCTest

/// The same recording listed under two names: a copy on each side of the split, or under two
/// labels, is named in a warning; copies in one part with one label are not.
final class DuplicateAudioTests: XCTestCase {
    /// audio.csv of `rows` (fname, label) and their clips: rows with the same `sound` get the same samples.
    func table(_ rows: [(String, String, sound: Int)]) throws -> (AudioTable, [[Float]]) {
        let csv = "fname,label\n" + rows.map { "\($0.0),\($0.1)\n" }.joined()
        let table = try AudioTable(data: Data(csv.utf8), file: "audio.csv")
        let clips = rows.map { row in (0..<400).map { Float(sin(Double($0 * (row.sound + 1)) * 0.01)) } }
        return (table, clips)
    }

    func testCopiesInDifferentPartsAreNamedWithTheirParts() throws {
        let (table, clips) = try table([("a.wav", "hum", 0), ("b.wav", "hum", 1), ("a_copy.wav", "hum", 0),
                                        ("c.wav", "tone", 2), ("d.wav", "tone", 3)])
        let split = Preparation.RowSplit(train: [0, 1, 3], validation: [4], test: [2])
        let warnings = DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips,
                                               file: "data/audio.csv")
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        let text = warnings.first?.description ?? ""
        XCTAssertTrue(text.hasPrefix("warning: data/audio.csv: 1 recording is listed more than once, with copies in "
                                     + "different parts of the split"), text)
        XCTAssertTrue(text.contains(": 'a.wav' (train) = 'a_copy.wav' (test);"), text)
        XCTAssertTrue(text.contains("group column"), text)
    }

    func testCopiesInOnePartWithOneLabelAreNotSaid() throws {
        let (table, clips) = try table([("a.wav", "hum", 0), ("a_copy.wav", "hum", 0), ("c.wav", "tone", 2),
                                        ("d.wav", "tone", 3)])
        let split = Preparation.RowSplit(train: [0, 1, 2], validation: [], test: [3])
        XCTAssertEqual(DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips,
                                               file: "audio.csv"), [])
    }

    func testTheSameAudioUnderTwoLabelsIsSaidEvenInOnePart() throws {
        let (table, clips) = try table([("a.wav", "hum", 0), ("b.wav", "tone", 0), ("c.wav", "tone", 2)])
        let split = Preparation.RowSplit(train: [0, 1], validation: [], test: [2])
        let warnings = DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips,
                                               file: "audio.csv")
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.message.contains(": 'a.wav' ('hum') = 'b.wav' ('tone');") == true,
                      "\(warnings)")
        XCTAssertTrue(warnings.first?.message.contains("different labels") == true, "\(warnings)")
    }

    func testOnlyTheRowsTheSplitUsesCount() throws {
        // a copy outside every part (a skipped row, a row in no fold) leaks nothing
        let (table, clips) = try table([("a.wav", "hum", 0), ("a_copy.wav", "tone", 0), ("c.wav", "tone", 2)])
        let split = Preparation.RowSplit(train: [0], validation: [], test: [2])
        XCTAssertEqual(DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips,
                                               file: "audio.csv"), [])
    }

    func testWithFoldsTheFoldsAreNamedSoEveryFoldSaysTheSame() throws {
        let rows: [(String, String, sound: Int)] = (0..<8).map { ("f\($0).wav", $0 < 4 ? "hum" : "tone", $0 % 4 == 0 ? 9 : $0) }
        let (table, clips) = try table(rows)
        let folds = try Folds(labels: rows.map(\.1), groups: nil, count: 2, seed: 3)
        let a = 0, b = 4      // the same sound, rows 0 and 4 (and under two labels)
        var messages = Set<String>()
        for k in 0..<2 {
            let test = (0..<8).filter { folds.fold[$0] == k }
            let train = (0..<8).filter { folds.fold[$0] != k }
            let split = Preparation.RowSplit(train: train, validation: [], test: test)
            let warnings = DuplicateAudio.warnings(split: split, plan: .fold(folds, k), table: table, clips: clips,
                                                   file: "audio.csv")
            messages.formUnion(warnings.map(\.description))
            let leak = warnings.first { $0.message.contains("different parts") }
            if folds.fold[a] != folds.fold[b] {
                XCTAssertTrue(leak?.message.contains("'f0.wav' (fold \(folds.fold[a] + 1)) = 'f4.wav' (fold "
                                                     + "\(folds.fold[b] + 1))") == true, "\(warnings)")
            } else {
                XCTAssertNil(leak, "\(warnings)")
            }
            XCTAssertNotNil(warnings.first { $0.message.contains("different labels") }, "\(warnings)")
        }
        XCTAssertEqual(messages.count, folds.fold[a] != folds.fold[b] ? 2 : 1, "every fold's run says the same")
    }

    func testManyRecordingsAndCopiesAreCounted() throws {
        var rows: [(String, String, sound: Int)] = []
        for i in 0..<5 { rows += [("x\(i).wav", "hum", i), ("y\(i).wav", "hum", i)] }
        for i in 0..<6 { rows.append(("z\(i).wav", "hum", 0)) }       // 8 copies of sound 0 in all
        let (table, clips) = try table(rows)
        let split = Preparation.RowSplit(train: stride(from: 0, to: 10, by: 2).map { $0 } + Array(10..<16),
                                         validation: [], test: stride(from: 1, to: 10, by: 2).map { $0 })
        let warnings = DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips,
                                               file: "audio.csv")
        XCTAssertEqual(warnings.count, 1)
        let message = warnings.first?.message ?? ""
        XCTAssertTrue(message.hasPrefix("5 recordings are"), message)
        XCTAssertTrue(message.contains(": 'x0.wav' (train) = 'y0.wav' (test) = 'z0.wav' (train) = 'z1.wav' (train) "
                                       + "and 4 more copies; 'x1.wav' (train) = 'y1.wav' (test); "), message)
        XCTAssertTrue(message.contains("; and 2 more;"), message)
    }

    /// The copy that differs is among those named, however many copies come before it in the table.
    func testTheCopyThatDiffersIsNamed() throws {
        var rows: [(String, String, sound: Int)] = (0..<6).map { ("c\($0).wav", "high", 0) }
        rows += [("c_low.wav", "low", 0), ("other.wav", "low", 1)]
        let (table, clips) = try table(rows)
        let split = Preparation.RowSplit(train: Array(0..<5) + [7], validation: [], test: [5, 6])
        let warnings = DuplicateAudio.warnings(split: split, plan: .holdOut, table: table, clips: clips, file: "audio.csv")
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        let parts = warnings.first { $0.message.contains("different parts") }?.message ?? ""
        XCTAssertTrue(parts.contains(": 'c0.wav' (train) = 'c5.wav' (test) = 'c1.wav' (train) = 'c2.wav' (train) and 3 more "
                                     + "copies;"), parts)
        let labels = warnings.first { $0.message.contains("different labels") }?.message ?? ""
        XCTAssertTrue(labels.contains(": 'c0.wav' ('high') = 'c_low.wav' ('low') = 'c1.wav' ('high')"), labels)
    }

    /// With folds, copies in one fold that a fold's run puts in its training and its validation files
    /// are said for that run (to the fold-by-fold warning they are in one part).
    func testWithFoldsCopiesCarvedIntoTrainingAndValidationAreSaid() throws {
        let rows: [(String, String, sound: Int)] = (0..<8).map { ("f\($0).wav", $0 < 4 ? "hum" : "tone", $0) }
            + [("f0_copy.wav", "hum", 0)]
        let (table, clips) = try table(rows)
        var folds = try Folds(labels: rows.map(\.1), groups: nil, count: 2, seed: 3)
        folds.fold[8] = folds.fold[0]           // the copy in its original's fold
        let k = 1 - folds.fold[0]               // the run that tests the other fold
        let others = (0..<9).filter { folds.fold[$0] != k }
        let split = Preparation.RowSplit(train: others.filter { $0 != 8 }, validation: [8],
                                         test: (0..<9).filter { folds.fold[$0] == k })
        let warnings = DuplicateAudio.warnings(split: split, plan: .fold(folds, k), table: table, clips: clips,
                                               file: "audio.csv")
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.message.hasPrefix("in the run that tests fold \(k + 1), 1 recording is listed more "
                                                        + "than once with copies in its training and validation files")
                      == true, "\(warnings)")
        XCTAssertTrue(warnings.first?.message.contains(": 'f0.wav' (train) = 'f0_copy.wav' (validation);") == true,
                      "\(warnings)")
    }

    /// The whole preparation: four copies of one recording in a class of four cannot share a part.
    func testPreparationWarnsWhenCopiesAreSplitApart() throws {
        let root = try makeTemporaryFolder("earmark-duplicates")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(root: root)
        try FileManager.default.createDirectory(at: data.wavfiles, withIntermediateDirectories: true)
        var csv = "fname,label\n"
        let hum = (0..<9600).map { t in Float(0.4 * sin(2 * .pi * 110 * Double(t) / 16000)) }
        for i in 0..<4 {
            try WavWriter.write(hum, sampleRate: 16000, to: data.wavfiles.appendingPathComponent("hum\(i).wav"))
            let tone = (0..<9600).map { t in Float(0.4 * sin(2 * .pi * (880 + 40 * Double(i)) * Double(t) / 16000)) }
            try WavWriter.write(tone, sampleRate: 16000, to: data.wavfiles.appendingPathComponent("tone\(i).wav"))
            csv += "hum\(i).wav,hum\ntone\(i).wav,tone\n"
        }
        try csv.write(to: data.csv, atomically: true, encoding: .utf8)
        let config = try ExperimentConfig.parse("""
            name: dup
            model:
              layers:
                - flatten: {}
                - dense: {units: classes, activation: softmax}
            split: {test: 0.25, validation: 0.25}

            """, file: "cfg/dup.yaml", defaultName: "dup")
        let prepared = try Preparation.run(config: config, data: data)
        let leak = prepared.warnings.first { $0.message.contains("different parts of the split") }
        XCTAssertNotNil(leak, "\(prepared.warnings)")
        XCTAssertTrue(leak?.message.hasPrefix("1 recording is") == true, "\(leak?.message ?? "")")
        for i in 0..<4 { XCTAssertTrue(leak?.message.contains("'hum\(i).wav' (") == true, "\(leak?.message ?? "")") }
        XCTAssertNil(prepared.warnings.first { $0.message.contains("tone") }, "\(prepared.warnings)")
    }
}
