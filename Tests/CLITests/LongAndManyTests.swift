import Foundation
import TestSupport
import XCTest

/// `predict` over many clips runs in memory that does not grow with their number, shows progress and
/// writes predictions.csv atomically; an hour-long clip is refused at the documented limit in
/// bounded memory, and a header claiming 10 hours over 1 s of audio is used without allocating 10 hours.
final class LongAndManyTests: XCTestCase {
    /// Clips of the small run (the large one has 10 times as many); EARMARK_LONG_CLIPS overrides
    /// (docs/RELIABILITY.md records 1,000 and 10,000).
    static let clips = ProcessInfo.processInfo.environment["EARMARK_LONG_CLIPS"].flatMap { Int($0) } ?? 200

    /// Writes `count` 0.2 s 16-bit tones into `folder` (plain writes: test input, not program output).
    func makeClips(_ count: Int, in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<count {
            let f = [110.0, 440, 1760][i % 3] * (1 + 0.01 * Double(i % 7))
            let samples = (0..<3200).map { t in Float(0.4 * sin(2 * .pi * f * Double(t) / 16000)) }
            try WavBytes.make(format: 1, channels: 1, rate: 16000, bitsPerSample: 16,
                              data: WavBytes.int16(quantizing: samples))
                .write(to: folder.appendingPathComponent(String(format: "clip%05d.wav", i)))
        }
    }

    /// Runs `predict` under /usr/bin/time: the result and the peak resident set in KiB.
    func measuredPredict(_ arguments: [String], in root: URL,
                         environment: [String: String] = [:]) throws -> (CLI.Result, Int) {
        let peak = root.appendingPathComponent("peak.txt")
        let r = try CLI.run("/usr/bin/time", ["-f", "%M", "-o", peak.path, CLI.products.appendingPathComponent("predict").path]
                            + arguments, in: root, environment: environment)
        let kib = Int(String(decoding: CrashFiles.bytes("peak.txt", in: root), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return (r, kib)
    }

    func testManyClipsInFlatMemoryAndLongClipsBounded() throws {
        let root = try makeTemporaryFolder("earmark-many")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root)
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--data", "."], in: root).status, 0)
        let model = ["--model", "models/tiny.safetensors"]
        let n = Self.clips
        try makeClips(n, in: root.appendingPathComponent("few"))
        try makeClips(10 * n, in: root.appendingPathComponent("many"))

        let (few, fewPeak) = try measuredPredict(model + ["--quiet", "--out", "few.csv", "few"], in: root)
        XCTAssertEqual(few.status, 0, few.output)
        // chunks do not change the numbers: all clips at once and 64 at a time give the same file
        let (whole, _) = try measuredPredict(model + ["--quiet", "--out", "whole.csv", "few"], in: root,
                                             environment: ["EARMARK_PREDICT_CHUNK": "1000000"])
        XCTAssertEqual(whole.status, 0, whole.output)
        XCTAssertEqual(CrashFiles.bytes("few.csv", in: root), CrashFiles.bytes("whole.csv", in: root))

        let started = Date()
        let (many, manyPeak) = try measuredPredict(model + ["--quiet", "--out", "many.csv", "many"], in: root,
                                                   environment: ["EARMARK_PROGRESS_SECONDS": "0"])
        XCTAssertEqual(many.status, 0, many.output)
        let rows = String(decoding: CrashFiles.bytes("many.csv", in: root), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(rows.count, 10 * n + 1)
        XCTAssertTrue(many.stderr.contains("predicted 256/\(10 * n) clips"), many.stderr)
        print(String(format: "LongAndManyTests: peak RSS %d KiB for %d clips, %d KiB for %d clips (%.1f s)",
                     fewPeak, n, manyPeak, 10 * n, Date().timeIntervalSince(started)))
        XCTAssertGreaterThan(fewPeak, 0)
        XCTAssertLessThan(manyPeak, fewPeak + fewPeak / 10 + 8 * 1024, "memory grows with the number of clips")
        XCTAssertEqual(CrashFiles.temporaries(under: root), [])

        // one hour of (sparse, silent) 16-bit audio: refused at the limit, memory bounded by the limit
        let hour = root.appendingPathComponent("hour.wav")
        try WavBytes.make(format: 1, channels: 1, rate: 16000, bitsPerSample: 16, data: [],
                          dataSize: 3600 * 16000 * 2).write(to: hour)
        let handle = try FileHandle(forWritingTo: hour)
        try handle.truncate(atOffset: 44 + 3600 * 16000 * 2)
        try handle.close()
        let (long, longPeak) = try measuredPredict(model + ["--out", "hour.csv", "hour.wav"], in: root)
        XCTAssertTrue(long.stderr.contains("hour.wav: no prediction: longer than the limit of 600 s per clip "
                                           + "(set EARMARK_MAX_CLIP_SECONDS to raise it)"), long.output)
        // the hour as floats alone would be 225 MiB; the limit's 600 s are 37.5 MiB (and their growth)
        XCTAssertLessThan(longPeak, fewPeak + 120 * 1024, "\(longPeak) KiB for the hour-long clip")
        let (lower, _) = try measuredPredict(model + ["--out", "hour.csv", "hour.wav"], in: root,
                                             environment: ["EARMARK_MAX_CLIP_SECONDS": "30"])
        XCTAssertTrue(lower.stderr.contains("longer than the limit of 30 s per clip"), lower.output)

        // a header claiming 10 hours over 1 s of audio: predicted, without allocating 10 hours
        let tone = (0..<16000).map { t in Float(0.4 * sin(2 * .pi * 440 * Double(t) / 16000)) }
        try WavBytes.make(format: 1, channels: 1, rate: 16000, bitsPerSample: 16, data: WavBytes.int16(quantizing: tone),
                          dataSize: 10 * 3600 * 16000 * 2).write(to: root.appendingPathComponent("liar.wav"))
        let (liar, liarPeak) = try measuredPredict(model + ["--out", "liar.csv", "liar.wav"], in: root)
        XCTAssertEqual(liar.status, 0, liar.output)
        let liarRows = String(decoding: CrashFiles.bytes("liar.csv", in: root), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(liarRows.count, 2)
        XCTAssertFalse(liarRows.last?.hasSuffix(",") ?? true, "no prediction for liar.wav: \(liar.output)")
        XCTAssertLessThan(liarPeak, fewPeak + 16 * 1024, "\(liarPeak) KiB for the lying header")
        print("LongAndManyTests: peak RSS \(longPeak) KiB for the hour-long clip, \(liarPeak) KiB for the lying header")
    }
}
