import Audio
import Foundation
import TestSupport
import XCTest

/// Decoding files libsndfile reads, written here with the module's own writer.
final class DecoderTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryFolder("earmark-audio") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Interleaves per-channel signals: (frames, channels).
    func interleave(_ channels: [[Float]]) -> [Float] {
        (0..<channels[0].count).flatMap { i in channels.map { $0[i] } }
    }

    func average(_ channels: [[Float]]) -> [Float] {
        (0..<channels[0].count).map { i in Float(channels.reduce(0.0) { $0 + Double($1[i]) } / Double(channels.count)) }
    }

    func testFloatMonoRoundTripIsExact() throws {
        let x = testSignal(1000, rate: 16000)
        let url = folder.appendingPathComponent("clean.wav")
        try WavWriter.write(x, sampleRate: 16000, to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.samples, x)
        XCTAssertEqual(clip.sampleRate, 16000)
        XCTAssertEqual(clip.channels, 1)
        XCTAssertEqual(clip.frames, 1000)
        XCTAssertEqual(clip.duration, 1000.0 / 16000)
        // Nothing but the file itself is left in the folder (the temporary was renamed).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["clean.wav"])
    }

    func test24BitStereoMixesToTheAverage() throws {
        let left = testSignal(3000, rate: 44100), right = testSignal(3000, rate: 44100, frequency: 1000, phase: 1)
        let url = folder.appendingPathComponent("stereo 24.wav")
        try WavWriter.write(interleaved: interleave([left, right]), channels: 2, sampleRate: 44100, format: .wavPCM24,
                            to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.channels, 2)
        XCTAssertEqual(clip.sampleRate, 44100)
        assertClose(clip.samples, average([left, right]), tolerance: 1e-5, "24-bit stereo mono mix")
        report("24-bit stereo mix vs average", maxDifference(clip.samples, average([left, right])))
    }

    func testEightChannelsEightKilohertzAndExtensible() throws {
        let channels = (0..<8).map { testSignal(800, rate: 8000, frequency: 100 + 50 * Double($0), phase: Double($0)) }
        for format in [AudioFileFormat.wavPCM24, .wavexPCM24, .wavexFloat32] {
            let url = folder.appendingPathComponent("eight-\(format.rawValue).wav")
            try WavWriter.write(interleaved: interleave(channels), channels: 8, sampleRate: 8000, format: format,
                                to: url)
            let clip = try AudioDecoder.decode(contentsOf: url)
            XCTAssertEqual(clip.channels, 8, format.rawValue)
            XCTAssertEqual(clip.sampleRate, 8000, format.rawValue)
            assertClose(clip.samples, average(channels), tolerance: 1e-5, "8 channels \(format.rawValue)")
        }
    }

    func testIntegerFormatsScaleLikeLibsndfile() throws {
        // Hand-made 16-bit PCM: value v decodes to v / 32768 exactly; stereo averages exactly.
        let ints: [Int16] = [0, 0, 16384, -16384, 32767, 32767, -32768, -32768, 100, 300]
        let url = folder.appendingPathComponent("pcm16.wav")
        try WavBytes.make(format: 1, channels: 2, rate: 22050, bitsPerSample: 16, data: WavBytes.int16(ints))
            .write(to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.samples, [0, 0, 32767.0 / 32768, -1, 200.0 / 32768])
        // 8-bit unsigned and 16-bit through the writer: within the quantisation step.
        let x = testSignal(500, rate: 16000)
        for (format, step) in [(AudioFileFormat.wavPCMU8, Float(1) / 128), (.wavPCM16, Float(1) / 32768),
                               (.wavPCM32, 1e-6), (.aiffPCM16, Float(1) / 32768)] {
            let u = folder.appendingPathComponent("x-\(format.rawValue).wav")
            try WavWriter.write(interleaved: x, channels: 1, sampleRate: 16000, format: format, to: u)
            let c = try AudioDecoder.decode(contentsOf: u)
            assertClose(c.samples, x, tolerance: step, format.rawValue)
        }
    }

    func testFlacIsLosslessAndOggKeepsTheShape() throws {
        let left = testSignal(4800, rate: 48000), right = testSignal(4800, rate: 48000, frequency: 700)
        let flac = folder.appendingPathComponent("x.flac")
        try WavWriter.write(interleaved: interleave([left, right]), channels: 2, sampleRate: 48000, format: .flac24,
                            to: flac)
        let a = try AudioDecoder.decode(contentsOf: flac)
        assertClose(a.samples, average([left, right]), tolerance: 1.5e-7, "FLAC 24 within the 24-bit step")
        report("FLAC 24 stereo mix vs average", maxDifference(a.samples, average([left, right])))
        XCTAssertEqual(a.channels, 2)

        let x = testSignal(16000, rate: 16000)
        for format in [AudioFileFormat.oggVorbis, .oggOpus] {
            let ogg = folder.appendingPathComponent("x-\(format.rawValue).ogg")
            try WavWriter.write(interleaved: x, channels: 1, sampleRate: format == .oggOpus ? 48000 : 16000,
                                format: format, to: ogg)
            let c = try AudioDecoder.decode(contentsOf: ogg)
            XCTAssertEqual(c.sampleRate, format == .oggOpus ? 48000 : 16000, format.rawValue)
            XCTAssertEqual(Double(c.frames), Double(x.count), accuracy: 1000, format.rawValue)
            // Lossy: the level survives (RMS within 10%) and values are finite.
            func rms(_ v: [Float]) -> Double {
                (v.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(v.count)).squareRoot()
            }
            XCTAssertEqual(rms(c.samples), rms(x), accuracy: 0.1 * rms(x), format.rawValue)
        }
    }

    /// MP3 (libsndfile's mpg123 reader), the format users most often have: stereo at 44.1 kHz and mono
    /// at 16 kHz (MPEG-2), written with libsndfile's LAME encoder. Lossy: the rate, channels and length
    /// survive (libsndfile trims the encoder's delay and padding from the LAME header), the level stays
    /// within 10% and every sample is where it was (the correlation with the original above 0.995).
    func testMP3KeepsRateChannelsLengthAndTone() throws {
        for (rate, channels) in [(44100, 2), (16000, 1)] {
            let left = testSignal(rate, rate: rate), right = testSignal(rate, rate: rate, frequency: 700)
            let original = channels == 2 ? average([left, right]) : left
            let url = folder.appendingPathComponent("clip \(rate).mp3")
            try WavWriter.write(interleaved: channels == 2 ? interleave([left, right]) : left, channels: channels,
                                sampleRate: rate, format: .mp3, to: url)
            let head = [UInt8](try Data(contentsOf: url).prefix(3))   // an ID3 tag, or an MPEG frame's sync bits
            XCTAssertTrue(head == Array("ID3".utf8) || (head[0] == 0xFF && head[1] & 0xE0 == 0xE0), "\(head)")
            let clip = try AudioDecoder.decode(contentsOf: url)
            let label = "\(rate) Hz x \(channels)"
            XCTAssertEqual(clip.sampleRate, rate, label)
            XCTAssertEqual(clip.channels, channels, label)
            XCTAssertEqual(Double(clip.frames), Double(original.count), accuracy: 0.01 * Double(rate), label)
            let n = min(clip.frames, original.count)
            var (dot, aa, bb) = (0.0, 0.0, 0.0)
            for i in 0..<n {
                let (a, b) = (Double(clip.samples[i]), Double(original[i]))
                dot += a * b; aa += a * a; bb += b * b
            }
            XCTAssertEqual((aa / Double(n)).squareRoot(), (bb / Double(n)).squareRoot(),
                           accuracy: 0.1 * (bb / Double(n)).squareRoot(), label)
            let correlation = dot / (aa * bb).squareRoot()
            XCTAssertGreaterThan(correlation, 0.995, label)   // one sample out of step: 0.985 at 16 kHz
            print("AUDIO-DIFF MP3 \(label): frames \(clip.frames) of \(original.count), correlation \(correlation)")
        }
    }

    func testNamesWithSpacesAndNonASCIILetters() throws {
        let x = testSignal(400, rate: 16000)
        for name in ["with space.wav", "Ünïcødé ñame – é.wav", "日本語 音.flac"] {
            let url = folder.appendingPathComponent(name)
            try WavWriter.write(interleaved: x, channels: 1, sampleRate: 16000,
                                format: name.hasSuffix("flac") ? .flac24 : .wavFloat32, to: url)
            let clip = try AudioDecoder.decode(contentsOf: url)
            assertClose(clip.samples, x, tolerance: 1e-6, name)
        }
        // And an error for such a name names it.
        let text = folder.appendingPathComponent("nœ audio ü.wav")
        try Data("hello".utf8).write(to: text)
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: text)) { error in
            XCTAssertTrue("\(error)".hasPrefix(text.path + ": "), "\(error)")
        }
    }

    func testWriterReplacesAtomicallyAndReportsBadFolders() throws {
        let url = folder.appendingPathComponent("out.wav")
        try WavWriter.write([0.1, 0.2], sampleRate: 16000, to: url)
        try WavWriter.write([0.3], sampleRate: 8000, to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.samples, [0.3])
        XCTAssertEqual(clip.sampleRate, 8000)
        let missing = folder.appendingPathComponent("no such folder/out.wav")
        XCTAssertThrowsError(try WavWriter.write([0.1], sampleRate: 16000, to: missing)) { error in
            guard let e = error as? AudioError, case .cannotWrite = e.reason else { return XCTFail("\(error)") }
            XCTAssertTrue("\(e)".hasPrefix(missing.path + ": cannot write audio"), "\(e)")
        }
        XCTAssertThrowsError(try WavWriter.write(interleaved: [0.1, 0.2, 0.3], channels: 2, sampleRate: 16000,
                                                 format: .wavPCM16, to: url))
        // Opus only encodes 8, 12, 16, 24 and 48 kHz: a refused format leaves no file behind.
        XCTAssertThrowsError(try WavWriter.write(interleaved: [0.1], channels: 1, sampleRate: 44100,
                                                 format: .oggOpus, to: folder.appendingPathComponent("x.opus")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["out.wav"])
    }
}
