import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// The log-mel front end against librosa 0.11 (Tests/Fixtures/make_logmel_fixtures.py): every
/// value within 1e-3 relative (|diff| <= 1e-3 max(1, |dB|)), top_db over the whole array computed.
final class LogMelParityTests: XCTestCase {
    static func parameters(_ json: String) throws -> (signal: String, parameters: LogMelParameters) {
        let c = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let p = LogMelParameters(sampleRate: try XCTUnwrap(c["sampleRate"] as? Int),
                                 nMels: try XCTUnwrap(c["n_mels"] as? Int), nFFT: try XCTUnwrap(c["n_fft"] as? Int),
                                 hopLength: (c["hop_length"] as? Int) ?? 512, fmin: try XCTUnwrap(c["fmin"] as? Double),
                                 fmax: c["fmax"] as? Double, topDB: c["top_db"] as? Double)
        return ((c["signal"] as? String) ?? "", p)
    }

    func testEveryFixtureCaseWithin1e3Relative() throws {
        let file = try Fixtures.load("audio/logmel.safetensors")
        let cases = file.metadata.keys.filter { !$0.hasPrefix("mel/") }.sorted()
        XCTAssertEqual(cases.count, 10)
        var worst = (absolute: 0.0, scaled: 0.0)
        for name in cases {
            let (signalName, p) = try Self.parameters(file.metadata[name]!)
            try p.validate()
            let signal = try fixtureValues(file, "signal/\(signalName)")
            let expected = try file.tensor("\(name)/logmel")
            let got = logMel(signal, p)
            XCTAssertEqual([got.frames, p.nMels], expected.shape, name)
            XCTAssertEqual(got.frames, p.frameCount(samples: signal.count), name)
            assertClose(got.values, expected.data, tolerance: 1e-3, name)
            let d = maxDifference(got.values, expected.data)
            report("\(name) logmel", d)
            worst = (max(worst.absolute, d.absolute), max(worst.scaled, d.scaled))
        }
        report("all cases logmel", worst)
    }

    func testSlaneyFilterBankMatchesLibrosa() throws {
        let file = try Fixtures.load("audio/logmel.safetensors")
        let (_, p) = try Self.parameters(try XCTUnwrap(file.metadata["mel/narrow"]))
        let expected = try file.tensor("mel/narrow")
        let bank = SlaneyMelFilterBank(p)
        XCTAssertEqual([bank.nMels, bank.bins], expected.shape)
        let scale = Double(expected.data.map(abs).max()!)
        for (a, b) in zip(bank.weights, expected.data) { XCTAssertEqual(a, Double(b), accuracy: 1e-6 * scale) }
    }

    func testSlaneyMelScale() {
        XCTAssertEqual(SlaneyMelFilterBank.hzToMel(1000), 15, accuracy: 1e-12)
        XCTAssertEqual(SlaneyMelFilterBank.hzToMel(200), 3, accuracy: 1e-12)
        for hz in [0.0, 440, 999.9, 1000, 4000, 11025] {
            let back = SlaneyMelFilterBank.melToHz(SlaneyMelFilterBank.hzToMel(hz))
            XCTAssertEqual(back, hz, accuracy: 1e-9 * max(1, hz))
        }
    }

    func testGeometryAndTopDB() {
        let p = LogMelParameters()
        XCTAssertEqual(p.frameCount(samples: 16000), 32)          // 1 + 16000 / 512
        XCTAssertEqual(p.frameCount(samples: 511), 1)
        XCTAssertEqual(p.frameCount(samples: 512), 2)
        XCTAssertEqual(LogMelParameters(nFFT: 401, hopLength: 100).frameCount(samples: 1000), 10)  // 1 + 999 / 100
        let signal = testSignal(8000, rate: 16000)
        let clipped = logMel(signal, p).values
        XCTAssertEqual(Double(clipped.max()! - clipped.min()!), 80, accuracy: 1e-3)
        var open = p
        open.topDB = nil
        let raw = logMel(signal, open).values
        let floor = raw.max()! - 80
        for (a, b) in zip(clipped, raw) { XCTAssertEqual(a, max(b, floor), accuracy: 1e-4) }
        XCTAssertTrue(logMel([Float](repeating: 0, count: 2000), open).values.allSatisfy { $0 == -100 })
    }

    func testBatchWindowsMatchSingleWindowsAcrossThreads() {
        let p = LogMelParameters(nMels: 40, nFFT: 512, hopLength: 160)
        let clips = [testSignal(9000, rate: 16000), testSignal(7000, rate: 16000, frequency: 950)]
        let windows = (0..<12).map { WindowRef(clip: $0 % 2, start: 311 * $0) }
        let front = FeatureFrontEnd.logMel(p)
        let perWindow = front.frameCount(samples: 3200) * front.width
        for threads in [1, 2] {
            var out = [Float](repeating: .nan, count: windows.count * perWindow)
            out.withUnsafeMutableBufferPointer { front.computeBatch(clips: clips, windows: windows, length: 3200,
                                                                    into: $0, threads: threads) }
            for (i, w) in windows.enumerated() {
                let single = logMel(Array(clips[w.clip][w.start..<(w.start + 3200)]), p).values
                XCTAssertEqual(Array(out[(i * perWindow)..<((i + 1) * perWindow)]), single, "window \(i)")
            }
        }
        let whole = front.computeClips(clips, threads: 2)
        XCTAssertEqual(whole[1], logMel(clips[1], p).values)
    }

    func testInvalidParametersThrowNamingTheKey() {
        func key(_ p: LogMelParameters) -> String? {
            do { try p.validate(); return nil } catch { return (error as? FeatureParameters.Invalid)?.key }
        }
        XCTAssertNil(key(LogMelParameters()))
        XCTAssertEqual(key(LogMelParameters(nFFT: 1)), "n_fft")
        XCTAssertEqual(key(LogMelParameters(hopLength: 0)), "hop_length")
        XCTAssertEqual(key(LogMelParameters(nMels: 0)), "n_mels")
        XCTAssertEqual(key(LogMelParameters(fmin: -1)), "fmin")
        XCTAssertEqual(key(LogMelParameters(fmax: 9000)), "fmax")
        XCTAssertEqual(key(LogMelParameters(fmin: 5000, fmax: 4000)), "fmax")
        XCTAssertEqual(key(LogMelParameters(topDB: -1)), "top_db")
    }
}
