import Audio
import Foundation
import TestSupport
import XCTest

/// Hostile and broken files: each decodes to the right values or throws an AudioError whose
/// one-line description names the file and the reason.
final class BadInputTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryFolder("earmark-bad-audio") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Writes `data` to `name` and returns the AudioError decoding it throws (fails if it decodes).
    func decodeError(_ name: String, _ data: Data, file: StaticString = #filePath, line: UInt = #line) -> AudioError? {
        let url = folder.appendingPathComponent(name)
        do {
            try data.write(to: url)
            let clip = try AudioDecoder.decode(contentsOf: url)
            XCTFail("\(name) decoded to \(clip.frames) frames", file: file, line: line)
        } catch let error as AudioError {
            XCTAssertEqual(error.file, url.path, file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
            return error
        } catch {
            XCTFail("\(name): unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testZeroByteFileAndTextFileAndMissingFile() {
        guard let empty = decodeError("empty.wav", Data()), case .cannotDecode(let why) = empty.reason else {
            return XCTFail("zero-byte file")
        }
        XCTAssertTrue(why.hasSuffix("Format not recognised. The file is empty: 0 bytes."), why)
        print("AUDIO-ERROR \(empty)")
        guard let text = decodeError(".DS_Store.wav", Data("just some text, not audio\n".utf8)),
              case .cannotDecode(let textWhy) = text.reason else { return XCTFail("text file") }
        XCTAssertTrue(textWhy.contains("Readable: WAV, FLAC, OGG Vorbis or Opus, MP3"), textWhy)
        XCTAssertFalse(textWhy.contains("empty"), textWhy)
        print("AUDIO-ERROR \(text)")
        let missing = folder.appendingPathComponent("missing.wav")
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: missing)) { error in
            XCTAssertTrue("\(error)".hasPrefix(missing.path + ": cannot decode audio ("), "\(error)")
        }
    }

    /// A format libsndfile does not read (an MPEG-4 audio file's first box, as an .m4a from a phone
    /// starts): the reason says which formats it reads and how to convert, on one line; other
    /// failures to open get no such words.
    func testAFormatLibsndfileDoesNotReadSaysWhatItReads() throws {
        var m4a = Data([0, 0, 0, 0x20]) + Data("ftypM4A ".utf8) + Data([0, 0, 0, 0])
        m4a += Data("M4A mp42isom".utf8) + Data([0, 0, 0, 0])
        m4a += Data(repeating: 0x5A, count: 4096)
        guard let e = decodeError("voice memo.m4a", m4a), case .cannotDecode(let why) = e.reason else {
            return XCTFail("m4a")
        }
        XCTAssertEqual(e.description, "\(folder.appendingPathComponent("voice memo.m4a").path): cannot decode audio "
            + "(Format not recognised. Readable: WAV, FLAC, OGG Vorbis or Opus, MP3, AIFF, AU, CAF and libsndfile's "
            + "other formats; convert others first, e.g. ffmpeg -i IN OUT.flac)")
        XCTAssertTrue(why.hasPrefix("Format not recognised."), why)
        print("AUDIO-ERROR \(e)")
        // bytes that start like an MPEG frame but do not decode: libsndfile's MP3 reader calls the file
        // missing or not a regular file; the reason says it is there
        let mpeg = Data([0xFF, 0xFB]) + Data((0..<5120).map { UInt8($0 % 256) })
        guard let damaged = decodeError("damaged.mp3", mpeg), case .cannotDecode(let mpegWhy) = damaged.reason else {
            return XCTFail("damaged MP3")
        }
        XCTAssertTrue(mpegWhy.hasSuffix("It is a regular file: its data looks like MP3 but does not decode (a damaged MP3?)"),
                      mpegWhy)
        // a device is not a file to decode: neither "empty" nor the formats
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: URL(fileURLWithPath: "/dev/zero"))) { error in
            XCTAssertEqual("\(error)", "/dev/zero: cannot decode audio (not a regular file (a character device))")
        }
        let missing = folder.appendingPathComponent("gone.m4a")
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: missing)) { error in
            XCTAssertFalse("\(error)".contains("Readable"), "\(error)")
        }
    }

    /// A pipe named like a clip: opening it would wait for a writer that never comes (no signal ended
    /// that wait: train could not be stopped); it is refused at once, as a device is.
    func testAPipeNamedLikeAClipIsRefusedWithoutOpeningIt() throws {
        let pipe = folder.appendingPathComponent("f0.wav")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: pipe)) { error in
            XCTAssertEqual("\(error)", "\(pipe.path): cannot decode audio (not a regular file (a pipe))")
        }
    }

    func testADirectoryNamedLikeAClip() throws {
        let url = folder.appendingPathComponent("folder.wav", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: url)) { error in
            guard let e = error as? AudioError, case .cannotDecode = e.reason else { return XCTFail("\(error)") }
            print("AUDIO-ERROR \(e)")
        }
    }

    func testZeroFramesIsEmpty() throws {
        let url = folder.appendingPathComponent("no frames.wav")
        try WavWriter.write([], sampleRate: 16000, to: url)
        XCTAssertThrowsError(try AudioDecoder.decode(contentsOf: url)) { error in
            XCTAssertEqual(error as? AudioError, AudioError(file: url.path, reason: .empty))
            XCTAssertEqual("\(error)", "\(url.path): no audio frames (empty clip)")
        }
    }

    func testZeroChannelsInHeader() {
        let data = WavBytes.make(format: 1, channels: 0, rate: 16000, bitsPerSample: 16,
                                 data: WavBytes.int16([1, 2, 3, 4]))
        guard let e = decodeError("zero channels.wav", data) else { return }
        // libsndfile refuses the header itself; either way the clip is rejected with a reason.
        switch e.reason {
        case .noChannels, .cannotDecode: break
        default: XCTFail("\(e)")
        }
        print("AUDIO-ERROR \(e)")
    }

    func testAbsurdSampleRates() {
        for rate: UInt32 in [0, 2_000_000_000, 0xFFFF_FFFF, 1_000_001] {
            let data = WavBytes.make(format: 1, channels: 1, rate: rate, bitsPerSample: 16,
                                     data: WavBytes.int16([1, 2, 3, 4]))
            guard let e = decodeError("rate \(rate).wav", data) else { continue }
            switch e.reason {
            case .badSampleRate, .cannotDecode: break
            default: XCTFail("\(e)")
            }
            print("AUDIO-ERROR \(e)")
        }
        // The largest accepted rate still decodes.
        let ok = folder.appendingPathComponent("fast.wav")
        XCTAssertNoThrow(try WavBytes.make(format: 1, channels: 1, rate: 1_000_000, bitsPerSample: 16,
                                           data: WavBytes.int16([1, 2])).write(to: ok))
        XCTAssertEqual(try AudioDecoder.decode(contentsOf: ok).sampleRate, 1_000_000)
    }

    func testNaNAndInfinitySamples() {
        for (name, bad) in [("nan", Float.nan), ("inf", Float.infinity), ("-inf", -Float.infinity)] {
            let values: [Float] = [0.1, 0.2, bad, 0.4, 0.5, 0.6]   // stereo: the bad value is in frame 1
            let data = WavBytes.make(format: 3, channels: 2, rate: 16000, bitsPerSample: 32,
                                     data: WavBytes.float32(values))
            guard let e = decodeError("\(name) samples.wav", data) else { continue }
            XCTAssertEqual(e.reason, .nonFinite(frame: 1), "\(e)")
            print("AUDIO-ERROR \(e)")
        }
    }

    /// A finite sample no audio can hold (3.4e38 made every predicted probability NaN, silently, and
    /// train stop on a NaN loss naming no file) is refused naming its frame; a float file written at
    /// integer scale (values up to 32,768) is still audio.
    func testSamplesBeyondWhatAudioCanReachAreRefused() throws {
        let values: [Float] = [0.1, 0.2, 0.3, 3.4e38, 0.5, 0.6]     // stereo: frame 1 mixes to 1.7e38
        let data = WavBytes.make(format: 3, channels: 2, rate: 16000, bitsPerSample: 32, data: WavBytes.float32(values))
        guard let e = decodeError("spike.wav", data) else { return }
        XCTAssertEqual(e.explanation, "sample of magnitude 1.7e+38 at frame 1, beyond the 1e+06 audio can reach "
                       + "(full scale is 1)")
        let loud = folder.appendingPathComponent("integer scale.wav")
        try WavBytes.make(format: 3, channels: 1, rate: 16000, bitsPerSample: 32,
                          data: WavBytes.float32([32767, -32768, 1000, 0])).write(to: loud)
        XCTAssertEqual(try AudioDecoder.decode(contentsOf: loud).samples, [32767, -32768, 1000, 0])
    }

    /// A data chunk cut short: libsndfile decodes the complete frames present, and so do we (the
    /// readable prefix is real audio; players behave the same). A cut inside a frame drops that frame.
    func testTruncatedDataChunkDecodesTheCompleteFrames() throws {
        let ints: [Int16] = (0..<200).map { Int16($0 * 100 - 10000) }   // 100 stereo frames
        let full = WavBytes.make(format: 1, channels: 2, rate: 16000, bitsPerSample: 16, data: WavBytes.int16(ints))
        let cut = full.prefix(full.count - 4 * 30 - 3)                   // 30.75 frames missing
        let url = folder.appendingPathComponent("truncated.wav")
        try cut.write(to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.frames, 69)
        XCTAssertEqual(clip.declaredFrames, 100, "the header's frame count tells the caller the file is cut short")
        try full.write(to: url)
        XCTAssertNil(try AudioDecoder.decode(contentsOf: url).declaredFrames, "a complete file")
        try cut.write(to: url)
        let expected = (0..<69).map { f in Float((Double(ints[2 * f]) + Double(ints[2 * f + 1])) / 2 / 32768) }
        XCTAssertEqual(clip.samples, expected)
        // Cut inside the header: no usable audio.
        XCTAssertNotNil(decodeError("header only.wav", full.prefix(30)))
    }

    /// A FLAC cut in half, or with a damaged middle that the decoder skips without an error, decodes to
    /// fewer frames than its STREAMINFO declares: `declaredFrames` says so, as for a WAV (it was used in
    /// part without a word). A complete FLAC says nothing, and so does every MP3: its count may be an
    /// estimate (a complete MP3 with an ID3 tag and no Xing header was called cut short).
    func testACompressedFileCutShortOrDamagedSaysSo() throws {
        let x = (0..<32000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        var checked = 0
        for (format, name) in [(AudioFileFormat.flac24, "x.flac")] {
            let url = folder.appendingPathComponent(name)
            try WavWriter.write(interleaved: x, channels: 1, sampleRate: 16000, format: format, to: url)
            let whole = try AudioDecoder.decode(contentsOf: url)
            XCTAssertNil(whole.declaredFrames, "\(name): complete, \(whole.frames) frames")
            let bytes = try Data(contentsOf: url)
            let damaged = bytes.prefix(bytes.count / 2)
                + Data(bytes[(bytes.count / 2)..<(bytes.count / 2 + 200)].map { $0 ^ 0xFF }) + bytes.suffix(from: bytes.count / 2 + 200)
            for (what, data) in [("cut in half", bytes.prefix(bytes.count / 2)), ("damaged in the middle", damaged)] {
                let bad = folder.appendingPathComponent("\(what) \(name)")
                try data.write(to: bad)
                guard let clip = try? AudioDecoder.decode(contentsOf: bad) else { continue }   // refused whole: said too
                checked += 1
                XCTAssertNotNil(clip.declaredFrames, "\(name) \(what): \(clip.frames) of \(whole.frames) frames")
                XCTAssertTrue(clip.cutShortNote?.hasPrefix("cut short: the header declares ") == true, "\(name) \(what)")
            }
        }
        XCTAssertEqual(checked, 2, "each damaged file decodes in part (the case that went unsaid)")
        // a complete MP3 behind an ID3 tag of 30 KB (cover art) without a Xing header: libsndfile counts
        // the tag as audio in its estimate; nothing is said
        let mp3 = folder.appendingPathComponent("x.mp3")
        try WavWriter.write(interleaved: x, channels: 1, sampleRate: 16000, format: .mp3, to: mp3)
        var tag = Data("ID3".utf8) + Data([3, 0, 0])
        let size = 30_000
        tag += Data([UInt8(size >> 21 & 0x7F), UInt8(size >> 14 & 0x7F), UInt8(size >> 7 & 0x7F), UInt8(size & 0x7F)])
        tag += Data(count: size)
        let tagged = folder.appendingPathComponent("tagged.mp3")
        try (tag + (try Data(contentsOf: mp3))).write(to: tagged)
        XCTAssertNil(try AudioDecoder.decode(contentsOf: tagged).declaredFrames)
    }

    /// A header that claims ~4 GB of data in a tiny file must neither allocate gigabytes nor crash.
    func testLyingHeaderFrameCount() throws {
        let data = WavBytes.make(format: 1, channels: 1, rate: 16000, bitsPerSample: 16,
                                 data: WavBytes.int16([1000, 2000, 3000]), dataSize: 0xFFFF_FFF0)
        let url = folder.appendingPathComponent("liar.wav")
        try data.write(to: url)
        let clip = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(clip.samples, [1000, 2000, 3000].map { Float($0) / 32768 })
        XCTAssertEqual(clip.declaredFrames, 0xFFFF_FFF0 / 2)
        // Float data with the same lie.
        let f = WavBytes.make(format: 3, channels: 8, rate: 8000, bitsPerSample: 32,
                              data: WavBytes.float32([Float](repeating: 0.25, count: 16)), dataSize: 0x7FFF_FFFF)
        try f.write(to: url)
        let c = try AudioDecoder.decode(contentsOf: url)
        XCTAssertEqual(c.samples, [0.25, 0.25])
        XCTAssertEqual(c.channels, 8)
    }

    func testCleaningAFileThatGatesToNothingAndAnUnresamplableRate() throws {
        let quiet = folder.appendingPathComponent("quiet.wav")
        try WavWriter.write([Float](repeating: 0.0001, count: 4000), sampleRate: 8000, to: quiet)
        XCTAssertEqual(try Cleaning.clean(contentsOf: quiet), [])
        let slow = folder.appendingPathComponent("slow.wav")
        try WavBytes.make(format: 1, channels: 1, rate: 10, bitsPerSample: 16, data: WavBytes.int16([1, 2, 3]))
            .write(to: slow)
        XCTAssertThrowsError(try Cleaning.clean(contentsOf: slow)) { error in
            guard let e = error as? AudioError, case .cannotResample = e.reason else { return XCTFail("\(error)") }
            XCTAssertTrue("\(e)".hasPrefix(slow.path + ": cannot resample"), "\(e)")
            print("AUDIO-ERROR \(e)")
        }
    }
}
