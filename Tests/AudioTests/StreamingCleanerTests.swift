import Audio
import Foundation
import TestSupport
import XCTest

/// The streaming cleaner keeps exactly the samples `Cleaning.clean` keeps, whatever the chunking.
final class StreamingCleanerTests: XCTestCase {
    /// Chunk sizes 1 ... 5000, seeded, covering `n` samples.
    func chunks(_ n: Int, seed: UInt64) -> [Range<Int>] {
        var state = seed, start = 0, ranges: [Range<Int>] = []
        while start < n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let size = [1, 7, 160, 1024, 5000][Int(state >> 61) % 5]
            ranges.append(start..<min(n, start + size))
            start += size
        }
        return ranges
    }

    func testStreamingResamplerMatchesTheWholeSignalResampler() throws {
        for (from, to) in [(44100, 16000), (22050, 16000), (8000, 16000), (16000, 16000)] {
            let x = RawPCM.bursts(seconds: 2.3, rate: from)
            let whole = try Resampler.resample(x, from: from, to: to)
            let stream = try StreamingResampler(from: from, to: to)
            var y: [Float] = []
            for r in chunks(x.count, seed: UInt64(from)) { y += try stream.process(Array(x[r])) }
            y += try stream.finish()
            XCTAssertEqual(y.count, whole.count, "\(from) -> \(to)")
            XCTAssertEqual(y, whole, "\(from) -> \(to): streamed samples differ")
        }
    }

    func testStreamingGateMakesTheSameDecisionsBitForBit() {
        let y = RawPCM.bursts(seconds: 3, rate: 16000)
        let whole = EnvelopeGate.apply(y, sampleRate: 16000)
        let mask = EnvelopeGate.mask(y, sampleRate: 16000)
        XCTAssertLessThan(whole.count, y.count - 8000, "the signal must have gaps for the gate to remove")
        for seed in [1, 2] as [UInt64] {
            var gate = StreamingGate(sampleRate: 16000)
            var kept: [Float] = [], positions: [Int] = []
            for r in chunks(y.count, seed: seed) {
                gate.push(Array(y[r])) { i, v in kept.append(v); positions.append(i) }
                XCTAssertEqual(gate.decided, max(0, gate.received - gate.lookAhead))
            }
            gate.finish { i, v in kept.append(v); positions.append(i) }
            XCTAssertEqual(gate.lookAhead, 799)
            XCTAssertEqual(kept, whole)
            XCTAssertEqual(positions, mask.indices.filter { mask[$0] })
        }
    }

    /// Raw s16le stereo at 44.1 kHz through the streaming cleaner == the WAV of the same samples cleaned.
    func testRawStereoPCMIsCleanedAsItsWavFile() throws {
        let folder = try makeTemporaryFolder("earmark-stream-clean")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (format, wav) in [(PCMStreamDecoder.Format.s16le, AudioFileFormat.wavPCM16), (.f32le, .wavFloat32)] {
            let url = folder.appendingPathComponent("clip-\(format).wav")
            try WavWriter.write(interleaved: RawPCM.bursts(seconds: 1.7, rate: 44100, channels: 2), channels: 2,
                                sampleRate: 44100, format: wav, to: url)
            let expected = try Cleaning.clean(contentsOf: url)
            let bytes = try RawPCM.dataChunk(ofWav: url)
            let cleaner = try StreamingCleaner(inputRate: 44100, format: format, channels: 2, targetRate: 16000)
            var kept: [Float] = []
            for r in chunks(bytes.count, seed: 9) {
                let out = try bytes[r].withUnsafeBytes { try cleaner.push($0) }
                XCTAssertEqual(out.nonFinite, [])
                kept += out.samples
            }
            kept += try cleaner.finish().samples
            XCTAssertEqual(kept, expected, "\(format)")
            XCTAssertEqual(cleaner.pendingBytes, 0)
        }
    }

    func testPartialFramesWaitAndNonFiniteFramesBecomeSilenceAndAreNamed() throws {
        var decoder = PCMStreamDecoder(format: .s16le, channels: 2)
        let first = [UInt8]([0x00, 0x40, 0x00, 0xC0, 0x01])        // 0.5, -0.5, and one byte of the next
        let a = first.withUnsafeBytes { decoder.decode($0) }
        XCTAssertEqual(a.mono, [0])
        XCTAssertEqual(decoder.pendingBytes, 1)
        let b = [UInt8]([0x40, 0x00, 0x40]).withUnsafeBytes { decoder.decode($0) }  // 0x4001, 0x4000
        XCTAssertEqual(b.mono, [Float((Double(0x4001) / 32768 + 0.5) / 2)])
        XCTAssertEqual(decoder.pendingBytes, 0)
        XCTAssertEqual(decoder.frames, 2)

        var floats = PCMStreamDecoder(format: .f32le, channels: 1)
        let data = RawPCM.f32le([0.25, .nan, -0.5, .infinity, 0.125, 3.4e38, -1e7, 32767])
        let c = data.withUnsafeBytes { floats.decode($0) }
        XCTAssertEqual(c.mono, [0.25, 0, -0.5, 0, 0.125, 0, 0, 32767])   // beyond 1e6 is no audio either
        XCTAssertEqual(c.nonFinite, [1, 3, 5, 6])
    }

    /// Output samples near a NaN frame are tainted; far ones are not.
    func testSamplesNearANonFiniteFrameAreTainted() throws {
        var y = RawPCM.bursts(seconds: 1, rate: 16000)
        y[4000] = .nan
        let cleaner = try StreamingCleaner(inputRate: 16000, format: .f32le, channels: 1, targetRate: 16000)
        var out = try RawPCM.f32le(y).withUnsafeBytes { try cleaner.push($0) }
        XCTAssertEqual(out.nonFinite, [4000])
        let tail = try cleaner.finish()
        out.positions += tail.positions
        out.tainted += tail.tainted
        XCTAssertEqual(out.positions.indices.filter { out.tainted[$0] }.map { out.positions[$0] }, [4000])
    }
}
