import Audio
import Foundation
import Pipeline
import TestSupport
import XCTest

/// `predict --stream`: a generated clip piped in as raw PCM gives, window by window, the
/// probabilities `predict` computes for the same clip; bad input is named and skipped.
final class StreamTests: TinyDataCase {
    var model: TrainedModel!

    override func setUpWithError() throws {
        try super.setUpWithError()
        let r = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        model = try TrainedModel.load(from: root.appendingPathComponent("models/tiny.safetensors")).model
    }

    /// Runs `predict --stream --json` on the raw bytes in `raw`; returns the result and its lines.
    func stream(_ raw: URL, _ options: [String]) throws -> (CLI.Result, [[String: Any]]) {
        let r = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors", "--json"] + options,
                            in: root, input: raw)
        let lines = try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
        return (r, lines)
    }

    func probabilities(_ line: [String: Any]) -> [Float] {
        let p = line["probabilities"] as? [String: Double] ?? [:]
        return TinyData.classes.map { Float(p[$0] ?? .nan) }
    }

    /// The clip as a WAV file, its data chunk as raw input, and predict's window probabilities of the WAV.
    func prepare(_ name: String, rate: Int, channels: Int, format: AudioFileFormat) throws -> (URL, [[Float]]) {
        let wav = root.appendingPathComponent("\(name).wav"), raw = root.appendingPathComponent("\(name).raw")
        try WavWriter.write(interleaved: RawPCM.bursts(seconds: 2.4, rate: rate, channels: channels),
                            channels: channels, sampleRate: rate, format: format, to: wav)
        try RawPCM.dataChunk(ofWav: wav).write(to: raw)
        let predictor = Predictor(model: model)
        return (raw, predictor.windowProbabilities(cleaned: try predictor.clean(contentsOf: wav)))
    }

    func testStreamedWindowsEqualPredictsWindowsForS16F32AndStereo44k() throws {
        let cases: [(String, Int, Int, AudioFileFormat, [String])] = [
            ("mono16k", 16000, 1, .wavPCM16, []),
            ("float16k", 16000, 1, .wavFloat32, ["--format", "f32le"]),
            ("stereo44k", 44100, 2, .wavPCM16, ["--rate", "44100", "--channels", "2"]),
        ]
        for (name, rate, channels, format, options) in cases {
            let (raw, expected) = try prepare(name, rate: rate, channels: channels, format: format)
            XCTAssertGreaterThan(expected.count, 10, name)
            let (r, lines) = try stream(raw, options)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertEqual(r.stderr, "", name)
            XCTAssertEqual(lines.count, expected.count, name)
            for (line, p) in zip(lines, expected) {
                assertClose(probabilities(line), p, tolerance: 1e-6, "\(name) window \(line["window"] ?? "?")")
                let best = TinyData.classes[p.indices.max { p[$0] < p[$1] }!]
                XCTAssertEqual(line["class"] as? String, best, name)
            }
        }
    }

    func testTextLinesAndEverySpans() throws {
        let (raw, expected) = try prepare("mono16k", rate: 16000, channels: 1, format: .wavPCM16)
        let r = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors"], in: root, input: raw)
        XCTAssertEqual(r.status, 0, r.output)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t") }
        XCTAssertEqual(rows.count, expected.count)
        XCTAssertTrue(rows.allSatisfy { $0.count == 2 + TinyData.classes.count }, r.stdout)
        XCTAssertTrue(rows.first?[2].hasPrefix("hum=") ?? false, r.stdout)

        let (s, spans) = try stream(raw, ["--every", "1"])
        XCTAssertEqual(s.status, 0, s.output)
        XCTAssertEqual(spans.compactMap { $0["time"] as? Double }, [1, 2, 2.4])
        XCTAssertEqual(spans.compactMap { $0["windows"] as? Int }.reduce(0, +), expected.count)
    }

    func testAnOddByteCountIsNamedAndIgnored() throws {
        let (raw, expected) = try prepare("odd", rate: 16000, channels: 1, format: .wavPCM16)
        var bytes = try Data(contentsOf: raw)
        bytes.append(0x7F)
        try bytes.write(to: raw)
        let (r, lines) = try stream(raw, [])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(lines.count, expected.count)
        XCTAssertTrue(r.stderr.contains("warning: stdin: the stream ends with 1 byte(s) that do not make a whole "
                                        + "frame (2 bytes per frame): ignored"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    func testNaNAndInfinityAreNamedAndTheirWindowsDropped() throws {
        let (raw, expected) = try prepare("bad", rate: 16000, channels: 1, format: .wavFloat32)
        var samples = try Data(contentsOf: raw).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        samples[3000] = .nan
        samples[20000] = -.infinity
        try RawPCM.f32le(samples).write(to: raw)
        let (r, lines) = try stream(raw, ["--format", "f32le"])
        XCTAssertEqual(r.status, 0, r.output)
        let warnings = r.stderr.split(separator: "\n")
        XCTAssertEqual(warnings, [
            "warning: stdin: NaN, infinite or out-of-range sample at frame 3000 (0.188 s): replaced by silence; the windows it "
                + "touches are dropped",
            "warning: stdin: NaN, infinite or out-of-range sample at frame 20000 (1.250 s): replaced by silence; the windows it "
                + "touches are dropped",
        ])
        XCTAssertEqual(lines.count, expected.count - 2, r.stdout)
    }

    func testUnsupportedModelsAndOptionsAreRefused() throws {
        let r = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors", "--format", "s24le"],
                            in: root)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--format must be one of s16le, f32le, not 's24le'"), r.stderr)
        for (option, value, message) in [("--channels", "0", "--channels must be 1...1024, not 0"),
                                         ("--channels", "100000", "--channels must be 1...1024, not 100000"),
                                         ("--rate", "0", "--rate must be 1...1000000 Hz, not 0"),
                                         ("--every", "nan", "--every must be a positive number of seconds"),
                                         // a span's samples overflowed an Int: SIGILL
                                         ("--every", "1e15", "--every must be a positive number of seconds, at most "
                                            + "31536000 (a year)")] {
            let bad = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors", option, value], in: root)
            XCTAssertNotEqual(bad.status, 0, "\(option) \(value)")
            XCTAssertTrue(bad.stderr.contains(message), bad.stderr)
        }
        // a span shorter than one sample was rounded up to one: a line per sample, all at time 0.000
        let tiny = try CLI.run("predict", ["--stream", "--model", "models/tiny.safetensors", "--every", "1e-300"], in: root)
        XCTAssertEqual(tiny.status, 1, tiny.output)
        XCTAssertTrue(tiny.stderr.contains("models/tiny.safetensors: --every 1e-300 s is shorter than one sample at this "
                                           + "model's 16000 Hz (give at least 6.25e-05 s"), tiny.stderr)
        let c = try CLI.run("predict", ["--model", "models/tiny.safetensors", "--every", "1", "x.wav"], in: root)
        XCTAssertNotEqual(c.status, 0)
        XCTAssertTrue(c.stderr.contains("go with --stream"), c.stderr)
        // a stream option given without --stream is refused even at its default value (16000 was taken)
        let d = try CLI.run("predict", ["--model", "models/tiny.safetensors", "--rate", "16000", "x.wav"], in: root)
        XCTAssertEqual(d.status, 64, d.output)
        XCTAssertTrue(d.stderr.contains("go with --stream"), d.stderr)
    }
}

extension StreamTests {
    /// Many bad samples close together: the first is named, the rest counted in one line at the end.
    func testABurstOfNaNIsNamedOnceAndCounted() throws {
        let (raw, expected) = try prepare("burst", rate: 16000, channels: 1, format: .wavFloat32)
        var samples = try Data(contentsOf: raw).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        for i in 3000..<3100 { samples[i] = .nan }
        try RawPCM.f32le(samples).write(to: raw)
        let (r, lines) = try stream(raw, ["--format", "f32le"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(lines.count, expected.count - 1, r.stdout)
        XCTAssertEqual(r.stderr.split(separator: "\n"), [
            "warning: stdin: NaN, infinite or out-of-range sample at frame 3000 (0.188 s): replaced by silence; the windows it "
                + "touches are dropped",
            "warning: stdin: 100 NaN, infinite or out-of-range samples in all (99 not named above, each within a second of one "
                + "named): 1 window(s) dropped",
        ])
    }
}
