import Audio
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// Derived files are rebuilt when what they were made from changes and reused otherwise
/// (docs/FORMATS.md §1, §5, §6): clean/ per source file (manifest: source size, time, identity and
/// hash, rate, threshold), the feature cache in pickles/ (name from the feature settings, key from
/// everything the windows depend on, the cleaned audio included). A damaged cache is rebuilt, never trusted.
final class StalenessTests: XCTestCase {
    var root: URL!
    var data: DataFolder { DataFolder(root: root) }
    var config = ExperimentConfig(name: "tiny")

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-stale")
        let wav = root.appendingPathComponent("wavfiles")
        try FileManager.default.createDirectory(at: wav, withIntermediateDirectories: true)
        var csv = "fname,label\n"
        for (c, label) in ["hum", "tone", "whistle"].enumerated() {
            for i in 0..<3 {
                let name = "\(label) \(i).wav"
                try WavWriter.write(signal(frequency: 110 * pow(4, Double(c)) * (1 + 0.05 * Double(i)), seconds: 0.4),
                                    sampleRate: 16000, to: wav.appendingPathComponent(name))
                csv += "\(name),\(label)\n"
            }
        }
        try csv.write(to: data.csv, atomically: true, encoding: .utf8)
        config.split.test = 0.2
        config.split.validation = 0.2
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func signal(frequency: Double, seconds: Double) -> [Float] {
        (0..<Int(seconds * 16000)).map { Float(0.5 * sin(2 * .pi * frequency * Double($0) / 16000)) }
    }

    func prepare() throws -> PreparedData { try Preparation.run(config: config, data: data) }

    func cacheFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: data.pickles.path).sorted()
    }

    var cacheURL: URL { data.pickles.appendingPathComponent("tiny-\(config.featureHash).safetensors") }

    func modified(_ url: URL) throws -> Date {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
    }

    /// Every window's label is its file's class and its file is one of the split's rows.
    func assertWindowsMatchTheirFiles(_ p: PreparedData, file: StaticString = #filePath, line: UInt = #line) {
        for (set, rows) in [(p.train, p.trainRows), (p.validation, p.validationRows)] {
            let allowed = Set(rows)
            for (label, row) in zip(set.labels, set.files) {
                XCTAssertTrue(allowed.contains(Int(row)), "window from row \(row), not in \(rows)",
                              file: file, line: line)
                XCTAssertEqual(p.classes[Int(label)], p.table.rows[Int(row)].label, file: file, line: line)
            }
        }
    }

    func testASecondRunReusesTheCleanFilesAndTheFeatureCache() throws {
        let first = try prepare()
        XCTAssertFalse(first.cacheHit)
        XCTAssertEqual(first.cleanedNow, 9)
        XCTAssertEqual(try cacheFiles(), ["tiny-\(config.featureHash).safetensors"])
        let cleanTime = try modified(CleanStep.cleanURL("hum 0.wav", in: data))
        let manifest = data.clean.appendingPathComponent("manifest.json")
        let manifestTime = try modified(manifest)

        let second = try prepare()
        XCTAssertTrue(second.cacheHit)
        XCTAssertEqual(second.cleanedNow, 0)
        XCTAssertEqual(try modified(CleanStep.cleanURL("hum 0.wav", in: data)), cleanTime)
        // nothing changed: the manifest is not rewritten either (an up-to-date clean/ may be read-only)
        XCTAssertEqual(try modified(manifest), manifestTime)
        XCTAssertEqual(second.train.x.shape, first.train.x.shape)
        XCTAssertEqual(second.train.x.data, first.train.x.data)   // scaled the same way: same min/max
        XCTAssertEqual(second.train.labels, first.train.labels)
        XCTAssertEqual(second.validation.files, first.validation.files)
        XCTAssertEqual(second.clips, first.clips)
        XCTAssertEqual(try cacheFiles().count, 1)
    }

    func testChangingOneSourceRebuildsThatCleanFileOnlyAndTheCache() throws {
        let first = try prepare()
        let trainNames = first.trainRows.map { first.table.rows[$0].fname }
        let testName = first.table.rows[first.testRows[0]].fname
        let untouched = CleanStep.cleanURL(trainNames[1], in: data)
        let untouchedTime = try modified(untouched)

        // rewritten with another length: that clean file and the cache are rebuilt
        let changed = data.wavfiles.appendingPathComponent(trainNames[0])
        try WavWriter.write(signal(frequency: 300, seconds: 0.7), sampleRate: 16000, to: changed)
        let second = try prepare()
        XCTAssertEqual(second.cleanedNow, 1)
        XCTAssertFalse(second.cacheHit)
        XCTAssertEqual(second.clips[first.trainRows[0]].count, 11200)   // 0.7 s: the new audio
        XCTAssertEqual(try modified(untouched), untouchedTime)
        XCTAssertTrue(try prepare().cacheHit)

        // only the modification time changes (same bytes): cleaned again, to the same audio, so the
        // windows cached from that audio are still the ones
        let touched = data.wavfiles.appendingPathComponent(trainNames[1])
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)],
                                              ofItemAtPath: touched.path)
        let third = try prepare()
        XCTAssertEqual(third.cleanedNow, 1)
        XCTAssertTrue(third.cacheHit)

        // a held-out test file changes: its clean file is rebuilt; the cached training windows do not
        // depend on it and are kept
        try WavWriter.write(signal(frequency: 500, seconds: 0.5), sampleRate: 16000,
                            to: data.wavfiles.appendingPathComponent(testName))
        let fourth = try prepare()
        XCTAssertEqual(fourth.cleanedNow, 1)
        XCTAssertTrue(fourth.cacheHit)
        XCTAssertEqual(fourth.clips[first.testRows[0]].count, 8000)

        // a clean file deleted or damaged behind Earmark's back: rebuilt, not trusted
        try FileManager.default.removeItem(at: untouched)
        try Data("garbage".utf8).write(to: CleanStep.cleanURL(trainNames[2], in: data))
        XCTAssertEqual(try prepare().cleanedNow, 2)
        // a damaged manifest: every clean file is redone, no crash
        try Data("{\"version\": ".utf8).write(to: data.clean.appendingPathComponent("manifest.json"))
        XCTAssertEqual(try prepare().cleanedNow, 9)
    }

    /// A source that is a link: its target's size and time are the stamp, so a new target behind the
    /// same link rebuilds the clean file and the cache (the link's own stamp never changed, and the old
    /// clean audio and windows were reused while `predict` read the new audio).
    func testALinkedSourceIsRebuiltWhenItsTargetChanges() throws {
        let first = try prepare()
        let name = first.table.rows[first.trainRows[0]].fname
        let store = root.appendingPathComponent("store.wav"), link = data.wavfiles.appendingPathComponent(name)
        try FileManager.default.moveItem(at: link, to: store)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: store)
        XCTAssertEqual(try prepare().cleanedNow, 0, "the same file through a link: reused")
        try WavWriter.write(signal(frequency: 300, seconds: 0.7), sampleRate: 16000, to: store)
        let second = try prepare()
        XCTAssertEqual(second.cleanedNow, 1)
        XCTAssertFalse(second.cacheHit)
        XCTAssertEqual(second.clips[first.trainRows[0]].count, 11200)   // 0.7 s: the new audio
    }

    /// Two sources of one size and one time swapped by name: their inodes moved, so their bytes are
    /// compared with the ones cleaned, and both are cleaned again (they were reused, each file's
    /// windows labelled with the other's audio). The features follow the audio.
    func testTwoSourcesOfOneSizeAndTimeSwappedByNameAreCleanedAgain() throws {
        let first = try prepare()
        let a = first.trainRows[0], b = first.trainRows.last!
        let urlA = data.wavfiles.appendingPathComponent(first.table.rows[a].fname)
        let urlB = data.wavfiles.appendingPathComponent(first.table.rows[b].fname)
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        for url in [urlA, urlB] {
            try FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: url.path)
        }
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: urlA.path)[.size] as? Int,
                       try FileManager.default.attributesOfItem(atPath: urlB.path)[.size] as? Int)
        let before = try prepare()
        XCTAssertEqual(before.cleanedNow, 2)
        XCTAssertTrue(before.clips[a] != before.clips[b])

        let swap = root.appendingPathComponent("swap.wav")
        try FileManager.default.moveItem(at: urlA, to: swap)
        try FileManager.default.moveItem(at: urlB, to: urlA)
        try FileManager.default.moveItem(at: swap, to: urlB)
        let after = try prepare()
        XCTAssertEqual(after.cleanedNow, 2)
        XCTAssertTrue(after.clips[a] == before.clips[b], "row \(a) holds the other file's audio now")
        XCTAssertTrue(after.clips[b] == before.clips[a], "row \(b) holds the other file's audio now")
        XCTAssertFalse(after.cacheHit)
        assertWindowsMatchTheirFiles(after)
        XCTAssertEqual(try prepare().cleanedNow, 0, "the new identities recorded")
    }

    /// A copy of the data folder that keeps the times (`cp -a`) has new inodes and the same bytes: the
    /// bytes are compared once, nothing is cleaned again, and the new identities are recorded.
    func testACopyThatKeepsTheTimesReusesTheCleanFiles() throws {
        let first = try prepare()
        let copy = try makeTemporaryFolder("earmark-stale-copy")
        defer { try? FileManager.default.removeItem(at: copy) }
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", root.path + "/.", copy.path]
        try cp.run()
        cp.waitUntilExit()
        XCTAssertEqual(cp.terminationStatus, 0)
        let copied = DataFolder(root: copy)
        let manifest = copied.clean.appendingPathComponent("manifest.json")
        let before = try Data(contentsOf: manifest)
        let reused = try Preparation.run(config: config, data: copied)
        XCTAssertEqual(reused.cleanedNow, 0)
        XCTAssertTrue(reused.cacheHit)
        XCTAssertTrue(reused.clips == first.clips)
        XCTAssertNotEqual(try Data(contentsOf: manifest), before, "the copies' identities recorded")
        XCTAssertEqual(try Preparation.run(config: config, data: copied).cleanedNow, 0)
    }

    /// A manifest of version 1 (size and time only) cannot tell swapped files apart: every file is
    /// cleaned again once.
    func testAVersionOneManifestCleansEveryFileOnce() throws {
        _ = try prepare()
        let url = data.clean.appendingPathComponent("manifest.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        json["version"] = 1
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        XCTAssertEqual(try prepare().cleanedNow, 9)
        XCTAssertEqual(try prepare().cleanedNow, 0)
    }

    func testFeatureSettingsSeedSplitAndInputLayoutAreInTheCacheKey() throws {
        let base = try prepare()
        XCTAssertEqual(base.train.x.shape.dropFirst(), [9, 13, 1])

        var other = config
        other.features.nfft = 1024
        XCTAssertNotEqual(other.featureHash, config.featureHash)
        config = other
        let nfft = try prepare()
        XCTAssertFalse(nfft.cacheHit)
        XCTAssertEqual(nfft.cleanedNow, 0, "the FFT size does not change cleaning")
        XCTAssertEqual(try cacheFiles().count, 2, "another feature setting, another cache file")

        config.features.numcep = 12
        let numcep = try prepare()
        XCTAssertFalse(numcep.cacheHit)
        XCTAssertEqual(numcep.train.x.shape.dropFirst(), [9, 12, 1])
        XCTAssertEqual(try cacheFiles().count, 3)
        XCTAssertTrue(try prepare().cacheHit)

        // same file name, other key: rebuilt in place
        config.training.seed = 7
        XCTAssertFalse(try prepare().cacheHit)
        XCTAssertTrue(try prepare().cacheHit)
        config.split.validation = 0.3
        XCTAssertFalse(try prepare().cacheHit)
        config.split.test = 0.4
        XCTAssertFalse(try prepare().cacheHit)
        config.model.input = .sequence   // the same features laid out for an LSTM
        let sequence = try prepare()
        XCTAssertFalse(sequence.cacheHit)
        XCTAssertEqual(sequence.train.x.shape.dropFirst(), [9, 12])
        XCTAssertEqual(try cacheFiles().count, 3)

        // the gate threshold changes cleaning: every clean file and the cache are redone
        config.features.threshold = 0.001
        let gate = try prepare()
        XCTAssertEqual(gate.cleanedNow, 9)
        XCTAssertFalse(gate.cacheHit)
    }

    func testRowsMovingInTheTableRebuildTheCache() throws {
        let first = try prepare()
        assertWindowsMatchTheirFiles(first)
        // a row whose file is missing, at the top: every row index moves by one while the usable
        // files, their split and their windows stay the same - the cache stores row indices
        let csv = try String(contentsOf: data.csv, encoding: .utf8)
        try csv.replacingOccurrences(of: "fname,label\n", with: "fname,label\nghost.wav,hum\n")
            .write(to: data.csv, atomically: true, encoding: .utf8)
        let moved = try prepare()
        XCTAssertEqual(moved.trainRows, first.trainRows.map { $0 + 1 })
        XCTAssertFalse(moved.cacheHit)
        assertWindowsMatchTheirFiles(moved)
        XCTAssertEqual(moved.train.labels, first.train.labels)
        XCTAssertEqual(moved.train.files, first.train.files.map { $0 + 1 })
    }

    func testADamagedCacheIsRebuiltNotTrusted() throws {
        let first = try prepare()
        let size = try Data(contentsOf: cacheURL).count

        // truncated
        let whole = try Data(contentsOf: cacheURL)
        try whole.prefix(size / 2).write(to: cacheURL)
        let truncated = try prepare()
        XCTAssertFalse(truncated.cacheHit)
        XCTAssertEqual(truncated.train.x.data, first.train.x.data)
        XCTAssertEqual(try Data(contentsOf: cacheURL).count, size, "rewritten whole")
        XCTAssertTrue(try prepare().cacheHit)

        // not a safetensors file at all
        try Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131) }).write(to: cacheURL)
        XCTAssertFalse(try prepare().cacheHit)

        // a value of the data overwritten, header and size intact: its checksum refuses it (it was
        // trained on, silently)
        XCTAssertTrue(try prepare().cacheHit)
        var bytes = try Data(contentsOf: cacheURL)
        let header = 8 + Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        bytes.replaceSubrange((header + 40)..<(header + 44), with: [0xCA, 0xF2, 0x49, 0x71])   // 1e30 in F32
        try bytes.write(to: cacheURL)
        let overwritten = try prepare()
        XCTAssertFalse(overwritten.cacheHit)
        XCTAssertEqual(overwritten.train.x.data, first.train.x.data)

        // well formed, the right key and checksum, but a label out of range and a window from a test
        // file: refused, not used (training would index out of range or learn from held-out files)
        var file = try SafeTensors.read(contentsOf: cacheURL)
        var labels = try file.integers("train/labels").values.map(Int32.init)
        labels[0] = 99
        file.tensors["train/labels"] = .init(int32: labels)
        file.seal()
        try SafeTensors.write(file, to: cacheURL)
        XCTAssertFalse(try prepare().cacheHit)
        file = try SafeTensors.read(contentsOf: cacheURL)
        var files = try file.integers("train/files").values.map(Int32.init)
        files[0] = Int32(first.testRows[0])
        file.tensors["train/files"] = .init(int32: files)
        file.seal()
        try SafeTensors.write(file, to: cacheURL)
        XCTAssertFalse(try prepare().cacheHit)
        // the wrong layout with the right key
        file = try SafeTensors.read(contentsOf: cacheURL)
        let x = try file.tensor("train/x")
        file.tensors["train/x"] = .init(Tensor(shape: [x.shape[0], 9, 13], data: x.data))
        file.seal()
        try SafeTensors.write(file, to: cacheURL)
        XCTAssertFalse(try prepare().cacheHit)
        XCTAssertTrue(try prepare().cacheHit)

        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data.pickles.path)
        XCTAssertEqual(leftovers, [cacheURL.lastPathComponent], "no temporary files")
    }

    /// A clean file that cannot be written is a fault, not bad input: an error naming it (not a
    /// warning that silently drops the clip); the other files are kept for the next run.
    func testACleanFileThatCannotBeWrittenIsAnError() throws {
        let blocker = CleanStep.cleanURL("hum 0.wav", in: data)   // a non-empty folder where the file goes
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: true)
        try Data([1]).write(to: blocker.appendingPathComponent("x"))
        XCTAssertThrowsError(try prepare()) { error in
            XCTAssertTrue("\(error)".hasPrefix(blocker.path + ": cannot write audio ("), "\(error)")
        }
        try FileManager.default.removeItem(at: blocker)
        XCTAssertEqual(try prepare().cleanedNow, 1, "the 8 files written before are reused")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data.clean.path)
            .filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }
}
