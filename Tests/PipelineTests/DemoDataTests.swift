import Audio
import Foundation
@testable import Pipeline
import TestSupport
import XCTest

/// Named demo sets: folders, audio.csv columns, regeneration only when demo.json differs.
final class DemoDataTests: XCTestCase {
    func testNamesAndFolders() throws {
        XCTAssertEqual(DemoSet.allCases.map(\.rawValue), ["quality", "parts", "study"])
        XCTAssertEqual(try DemoSet.named("parts"), .parts)
        XCTAssertEqual(DemoSet.quality.folderName, "demo")
        XCTAssertEqual(DemoSet.study.folderName, "demo-study")
        XCTAssertThrowsError(try DemoSet.named("nope")) { error in
            XCTAssertEqual("\(error)", "unknown demo set 'nope': the demo sets are quality, parts, study")
        }
        // the quality set's demo.json keeps its form, so existing DATA/demo folders are not regenerated
        XCTAssertEqual(DemoData.stamp(.quality, .standard(.quality), seed: DemoData.seed),
                       "{\"seed\": 2024, \"clips_per_class\": 30, \"seconds\": 2.5, \"generator\": 1}\n")
    }

    func testPartsSetIsWrittenWithGroupsAndReused() throws {
        let root = try makeTemporaryFolder("earmark-demo"); defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(root: root)
        var messages: [String] = []
        let size = DemoData.Size(count: 4, takes: 2, seconds: 0.5)
        let demo = try DemoData.ensure(.parts, in: data, size: size) { messages.append($0) }
        XCTAssertEqual(demo.root.lastPathComponent, "demo-parts")
        XCTAssertEqual(messages.count, 1)
        let table = try demo.readTable()
        XCTAssertEqual(table.rows.count, 8)
        let csv = try String(contentsOf: demo.csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv[0], "fname,label,group,fault,faint")
        XCTAssertEqual(csv[1], "part000_take0.wav,ok,part000,none,no")
        let wavs = try FileManager.default.contentsOfDirectory(atPath: demo.wavfiles.path)
        XCTAssertEqual(wavs.count, 8)
        let clip = try AudioDecoder.decode(contentsOf: demo.wavfiles.appendingPathComponent("part001_take1.wav"))
        XCTAssertEqual(clip.sampleRate, 16000)
        XCTAssertEqual(clip.samples.count, 8000)

        _ = try DemoData.ensure(.parts, in: data, size: size) { messages.append($0) }
        XCTAssertEqual(messages.count, 1, "same seed, size and generator: reused")
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 2, "another size: regenerated")

        // a damaged set (a clip deleted, a label edited) is generated again, not reused as it is
        let deleted = demo.wavfiles.appendingPathComponent("part001_take1.wav")
        try FileManager.default.removeItem(at: deleted)
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 4, "\(messages)")
        XCTAssertTrue(messages[2].contains("is not as it was generated (1 clip changed or missing: "
                                           + "wavfiles/part001_take1.wav): generating it again"), messages[2])
        XCTAssertTrue(FileManager.default.fileExists(atPath: deleted.path))
        let edited = try String(contentsOf: demo.csv, encoding: .utf8).replacingOccurrences(of: ",ok,", with: ",reject,")
        try edited.write(to: demo.csv, atomically: true, encoding: .utf8)
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 6, "\(messages)")
        XCTAssertTrue(messages[4].contains("is not as it was generated (its audio.csv changed): "), messages[4])
        XCTAssertTrue(try String(contentsOf: demo.csv, encoding: .utf8).contains(",ok,"))
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 6, "as generated: reused")
        // a file added beside the set is not the set's (audio.csv does not list it): the set is reused
        try Data("notes".utf8).write(to: demo.wavfiles.appendingPathComponent("notes.txt"))
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 6, "an added file: reused, not regenerated")
        // a damaged record is damage, not a set from before records (it made the damaged files the reference)
        try Data("garbage".utf8).write(to: demo.root.appendingPathComponent("demo.contents.json"))
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 8, "\(messages)")
        XCTAssertTrue(messages[6].contains("its demo.contents.json is damaged"), messages[6])
        XCTAssertFalse(try String(contentsOf: demo.root.appendingPathComponent("demo.contents.json"), encoding: .utf8)
            .contains("notes.txt"), "the added file is not recorded as the set's")
        // a record that lists nothing is damage too (it was trusted for good)
        try Data("{}".utf8).write(to: demo.root.appendingPathComponent("demo.contents.json"))
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 10, "\(messages)")
        // so is a record that lists only some files, and one that is a folder (it was trusted every time)
        let record = demo.root.appendingPathComponent("demo.contents.json")
        let full = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: record))
        try JSONEncoder().encode(["audio.csv": full["audio.csv"]!]).write(to: record)
        try FileManager.default.removeItem(at: demo.wavfiles.appendingPathComponent("part000_take0.wav"))
        _ = try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }
        XCTAssertEqual(messages.count, 12, "\(messages)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: demo.wavfiles.appendingPathComponent("part000_take0.wav").path))
        try FileManager.default.removeItem(at: record)
        try FileManager.default.createDirectory(at: record, withIntermediateDirectories: true)
        XCTAssertThrowsError(try DemoData.ensure(.parts, in: data, size: DemoData.Size(count: 2, takes: 2, seconds: 0.5)) {
            messages.append($0)
        }, "regenerated, then the record cannot be written over the folder: an error, not trust")

        // wavfiles/ a file: one error naming it (it was Foundation's NSCocoaErrorDomain Code=516)
        let other = DataFolder(root: root.appendingPathComponent("other"))
        try FileManager.default.createDirectory(at: other.root.appendingPathComponent("demo-parts"),
                                                withIntermediateDirectories: true)
        try Data().write(to: other.root.appendingPathComponent("demo-parts/wavfiles"))
        XCTAssertThrowsError(try DemoData.ensure(.parts, in: other, size: size) { _ in }) { error in
            XCTAssertTrue("\(error)".hasSuffix("demo-parts/wavfiles: is a file, where the demo set's clips go: move it away"),
                          "\(error)")
        }
    }

    /// Another seed: another set of the same recipe (other parts, the same columns and sizes) in its own
    /// folder, so the shipped set beside it is neither replaced nor regenerated.
    func testAnotherSeedMakesADevelopmentSetBesideTheShippedOne() throws {
        let root = try makeTemporaryFolder("earmark-demo"); defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(root: root)
        var messages: [String] = []
        let size = DemoData.Size(count: 4, takes: 1, seconds: 0.5)
        let shipped = try DemoData.ensure(.parts, in: data, size: size) { messages.append($0) }
        let development = try DemoData.ensure(.parts, in: data, size: size, seed: 7777) { messages.append($0) }
        XCTAssertEqual(shipped.root.lastPathComponent, "demo-parts")
        XCTAssertEqual(development.root.lastPathComponent, "demo-parts-seed7777")
        XCTAssertEqual(DemoSet.quality.folderName(seed: DemoData.seed), "demo")
        XCTAssertEqual(DemoSet.quality.folderName(seed: 8888), "demo-seed8888")
        XCTAssertTrue(try String(contentsOf: development.root.appendingPathComponent("demo.json"), encoding: .utf8)
            .contains("\"seed\": 7777"))
        let shippedCSV = try String(contentsOf: shipped.csv, encoding: .utf8)
        let developmentCSV = try String(contentsOf: development.csv, encoding: .utf8)
        XCTAssertEqual(shippedCSV.split(separator: "\n").count, developmentCSV.split(separator: "\n").count)
        XCTAssertEqual(shippedCSV.split(separator: "\n").first, developmentCSV.split(separator: "\n").first)
        let name = "part000_take0.wav"
        let a = try AudioDecoder.decode(contentsOf: shipped.wavfiles.appendingPathComponent(name)).samples
        let b = try AudioDecoder.decode(contentsOf: development.wavfiles.appendingPathComponent(name)).samples
        XCTAssertEqual(a.count, b.count)
        XCTAssertNotEqual(a, b, "another seed, other parts")

        _ = try DemoData.ensure(.parts, in: data, size: size) { messages.append($0) }
        _ = try DemoData.ensure(.parts, in: data, size: size, seed: 7777) { messages.append($0) }
        XCTAssertEqual(messages.count, 2, "each set generated once, then reused: \(messages)")
    }

    func testStudySetIsAt22050Hz() throws {
        let root = try makeTemporaryFolder("earmark-demo"); defer { try? FileManager.default.removeItem(at: root) }
        let size = DemoData.Size(count: 2, seconds: 1)
        let demo = try DemoData.ensure(.study, in: DataFolder(root: root), size: size) { _ in }
        XCTAssertEqual(demo.root.lastPathComponent, "demo-study")
        XCTAssertEqual(try String(contentsOf: demo.csv, encoding: .utf8).split(separator: "\n").count, 7)
        let clip = try AudioDecoder.decode(contentsOf: demo.wavfiles.appendingPathComponent("low_001.wav"))
        XCTAssertEqual(clip.sampleRate, 22050)
        XCTAssertEqual(clip.samples.count, 22050)
    }
}
