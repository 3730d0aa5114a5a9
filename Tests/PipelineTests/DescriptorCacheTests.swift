import Audio
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// The descriptor cache in pickles/ (`PreparedDescriptors`): reused when nothing changed, rebuilt
/// when a source file, the feature settings or the file itself changes.
final class DescriptorCacheTests: XCTestCase {
    var root: URL!
    var data: DataFolder { DataFolder(root: root) }
    var config = ExperimentConfig(name: "forest")

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-descriptors")
        let wav = root.appendingPathComponent("wavfiles")
        try FileManager.default.createDirectory(at: wav, withIntermediateDirectories: true)
        var csv = "fname,label\n"
        for (c, label) in ["hum", "tone"].enumerated() {
            for i in 0..<3 {
                let name = "\(label) \(i).wav"
                try WavWriter.write(signal(frequency: 110 * pow(4, Double(c)) * (1 + 0.05 * Double(i))),
                                    sampleRate: 16000, to: wav.appendingPathComponent(name))
                csv += "\(name),\(label)\n"
            }
        }
        try csv.write(to: data.csv, atomically: true, encoding: .utf8)
        config.model.kind = .randomForest
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func signal(frequency: Double, seconds: Double = 0.3) -> [Float] {
        (0..<Int(seconds * 16000)).map { Float(0.5 * sin(2 * .pi * frequency * Double($0) / 16000)) }
    }

    func prepare() throws -> PreparedDescriptors { try PreparedDescriptors.run(config: config, data: data) }

    func testReusedRebuiltAndNeverTrustedWhenDamaged() throws {
        let first = try prepare()
        XCTAssertFalse(first.cacheHit)
        XCTAssertEqual(first.descriptors.x.shape, [6, 38])
        XCTAssertEqual(first.descriptors.rows, [0, 1, 2, 3, 4, 5])
        let url = DescriptorCache.url(config: config, data: data)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path))
        XCTAssertNotEqual(url.lastPathComponent, "forest-\(config.featureHash).safetensors", "not the window cache")
        // each row is the clip's own descriptor row
        XCTAssertEqual(Array(first.descriptors.x.data[38..<76]),
                       DescriptorTable.row(first.clips[1], features: config.features))

        let second = try prepare()
        XCTAssertTrue(second.cacheHit)
        XCTAssertEqual(second.descriptors, first.descriptors)

        // a source file changes: rebuilt with the new audio
        try WavWriter.write(signal(frequency: 900, seconds: 0.5), sampleRate: 16000,
                            to: data.wavfiles.appendingPathComponent("hum 1.wav"))
        let third = try prepare()
        XCTAssertFalse(third.cacheHit)
        XCTAssertNotEqual(Array(third.descriptors.x.data[38..<76]), Array(first.descriptors.x.data[38..<76]))
        XCTAssertTrue(try prepare().cacheHit)

        // damaged: rebuilt, never trusted
        try Data("garbage".utf8).write(to: url)
        XCTAssertFalse(try prepare().cacheHit)
        XCTAssertTrue(try prepare().cacheHit)

        // other feature settings: another file
        config.features.numcep = 12
        let other = try prepare()
        XCTAssertFalse(other.cacheHit)
        XCTAssertEqual(other.descriptors.x.shape, [6, 36])
        XCTAssertNotEqual(DescriptorCache.url(config: config, data: data), url)
    }

    func testExportCSVHasNamedColumnsAndExactValues() throws {
        let p = try prepare()
        let text = DescriptorExport.csv(p.descriptors, audio: p.table)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 7)
        XCTAssertEqual(lines[0], "fname,label," + ClipDescriptors.columnNames().joined(separator: ","))
        let fields = lines[1].components(separatedBy: ",")
        XCTAssertEqual(fields[0], "hum 0.wav")
        XCTAssertEqual(fields[2...].map { Float($0)! }, Array(p.descriptors.x.data[0..<38]))
    }
}
