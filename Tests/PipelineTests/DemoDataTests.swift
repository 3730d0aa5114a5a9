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
        XCTAssertEqual(DemoData.stamp(.quality, .standard(.quality)),
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
