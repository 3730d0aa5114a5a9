import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// MFCC and logfbank against python_speech_features 0.6 (Tests/Fixtures/make_audio_fixtures.py,
/// float64 reference) and the numbers printed in docs/WORKFLOW.md §3.8.
final class FeatureParityTests: XCTestCase {
    struct Case {
        var name: String
        var signal: String
        var parameters: FeatureParameters
    }

    static func cases(_ file: SafeTensors.File) throws -> [Case] {
        let json = try XCTUnwrap(file.metadata["cases"]?.data(using: .utf8))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: [String: Any]])
        return try object.keys.sorted().map { name in
            let c = object[name]!
            var p = FeatureParameters(sampleRate: try XCTUnwrap(c["sampleRate"] as? Int))
            if let v = c["nfft"] as? Int { p.nfft = v }
            if let v = c["nfilt"] as? Int { p.nfilt = v }
            if let v = c["numcep"] as? Int { p.numcep = v }
            if let v = c["lowfreq"] as? Double { p.lowFreq = v }
            if let v = c["highfreq"] as? Double { p.highFreq = v }
            if let v = c["ceplifter"] as? Double { p.ceplifter = v }
            if let v = c["appendEnergy"] as? Bool { p.appendEnergy = v }
            return Case(name: name, signal: try XCTUnwrap(c["signal"] as? String), parameters: p)
        }
    }

    func testEveryFixtureCaseWithin1e3() throws {
        let file = try Fixtures.load("audio/features.safetensors")
        let cases = try Self.cases(file)
        XCTAssertEqual(cases.count, 12)
        var worstMFCC = (absolute: 0.0, scaled: 0.0), worstLog = (absolute: 0.0, scaled: 0.0)
        for c in cases {
            let signal = try fixtureValues(file, "signal/\(c.signal)")
            let expectedMFCC = try file.tensor("\(c.name)/mfcc")
            let expectedLog = try file.tensor("\(c.name)/logfbank")
            let m = mfcc(signal, c.parameters)
            let l = logfbank(signal, c.parameters)
            XCTAssertEqual([m.frames, c.parameters.numcep], expectedMFCC.shape, c.name)
            XCTAssertEqual([l.frames, c.parameters.nfilt], expectedLog.shape, c.name)
            assertClose(m.values, expectedMFCC.data, tolerance: 1e-3, "\(c.name) mfcc")
            assertClose(l.values, expectedLog.data, tolerance: 1e-3, "\(c.name) logfbank")
            let dm = maxDifference(m.values, expectedMFCC.data), dl = maxDifference(l.values, expectedLog.data)
            report("\(c.name) mfcc", dm)
            report("\(c.name) logfbank", dl)
            worstMFCC = (max(worstMFCC.absolute, dm.absolute), max(worstMFCC.scaled, dm.scaled))
            worstLog = (max(worstLog.absolute, dl.absolute), max(worstLog.scaled, dl.scaled))
        }
        report("all cases mfcc", worstMFCC)
        report("all cases logfbank", worstLog)
    }

    /// The exact numbers of docs/WORKFLOW.md §3.8 (psf on the float32 parity vector).
    func testReferenceParityNumbers() {
        let x = (0..<1600).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        let p = FeatureParameters(sampleRate: 16000, numcep: 13, nfilt: 26, nfft: 512)
        let m = mfcc(x, p)
        XCTAssertEqual(m.frames, 9)
        XCTAssertEqual(m.values.count, 9 * 13)
        let row0: [Float] = [-0.2994380248, 18.8065963792, 1.713596456, -14.1846820689, -27.1909120642,
                             -33.5289606514, -29.6775265313, -18.5623087094, -3.2707027883, 10.0456934431,
                             18.025868398, 17.9758846129, 11.9337392925]
        assertClose(Array(m.values[0..<13]), row0, tolerance: 1e-3, "REFERENCE mfcc row 0")
        let row8: [Float] = [-0.5321165393, 22.1598444531, 5.7264831553]
        assertClose(Array(m.values[104..<107]), row8, tolerance: 1e-3, "REFERENCE mfcc row 8")
        assertClose([m.values.min()!, m.values.max()!], [-33.52896065139544, 50.704666213450295],
                    tolerance: 1e-3, "REFERENCE mfcc min/max")
        let l = logfbank(x, p)
        assertClose(Array(l.values[0..<5]), [-8.1436755944, -7.9694683566, -6.241459373, -4.4240392003, -0.8355875971],
                    tolerance: 1e-3, "REFERENCE logfbank row 0")
        report("WORKFLOW.md §3.8 mfcc row 0", maxDifference(Array(m.values[0..<13]), row0))
        report("WORKFLOW.md §3.8 mfcc row 8", maxDifference(Array(m.values[104..<107]), row8))
    }

    func testMelBinEdgesMatchNumpy() throws {
        let file = try Fixtures.load("audio/features.safetensors")
        let sets: [(Int, Int, Int, Double, Double)] = [(26, 512, 16000, 0, 8000), (26, 1103, 44100, 0, 22050),
                                                       (40, 1024, 22050, 0, 11025), (20, 512, 8000, 0, 4000),
                                                       (26, 512, 11025, 300, 4000)]
        for (nfilt, nfft, rate, low, high) in sets {
            let key = "bins/\(nfilt)_\(nfft)_\(rate)_\(Int(low))_\(Int(high * 10))"
            let expected = try file.integers(key).values
            let edges = MelFilterBank.binEdges(nfilt: nfilt, nfft: nfft, sampleRate: rate, lowFreq: low, highFreq: high)
            XCTAssertEqual(edges, expected, key)
        }
        XCTAssertEqual(MelFilterBank.binEdges(nfilt: 26, nfft: 512, sampleRate: 16000, lowFreq: 0, highFreq: 8000),
                       [0, 2, 4, 7, 10, 13, 16, 20, 24, 29, 34, 40, 46, 53, 60, 68, 77, 87, 97, 109, 122,
                        136, 152, 169, 188, 209, 231, 256])
        // The one-ulp trap: the top edge of (26, 1103, 44100) must floor to 552, not 551.
        let edges = MelFilterBank.binEdges(nfilt: 26, nfft: 1103, sampleRate: 44100, lowFreq: 0, highFreq: 22050)
        XCTAssertEqual(edges.last, 552)
        // Filters: first filter rises 0, 0.5 on bins 0, 1 and falls 1, 0.5 on bins 2, 3 (edges 0 2 4).
        let bank = MelFilterBank(nfilt: 26, nfft: 512, sampleRate: 16000)
        let dense = bank.dense()
        XCTAssertEqual(Array(dense[0..<5]), [0, 0.5, 1, 0.5, 0])
        XCTAssertEqual(dense.count, 26 * 257)
    }

    func testFrameGeometry() {
        let p = FeatureParameters()
        XCTAssertEqual(p.frameLength, 400)
        XCTAssertEqual(p.frameStep, 160)
        XCTAssertEqual(p.frameCount(samples: 1600), 9)
        XCTAssertEqual(p.frameCount(samples: 400), 1)
        XCTAssertEqual(p.frameCount(samples: 401), 2)
        XCTAssertEqual(p.frameCount(samples: 1), 1)
        let p44 = FeatureParameters(sampleRate: 44100, nfft: 1103)
        XCTAssertEqual(p44.frameLength, 1103)   // 1102.5 rounds half up
        XCTAssertEqual(p44.frameStep, 441)
        XCTAssertEqual(p44.bins, 552)
        XCTAssertEqual(Framing.roundHalfUp(2.5), 3)
        XCTAssertEqual(Framing.roundHalfUp(2.4999999999999996), 2)
    }

    func testSilenceGivesLogEpsAndEmptySignalOneFrame() {
        let logEps = Float(log(2.220446049250313e-16))
        let l = logfbank([Float](repeating: 0, count: 1600))
        XCTAssertEqual(l.frames, 9)
        XCTAssertTrue(l.values.allSatisfy { $0 == logEps }, "silence logfbank should be log(eps) = \(logEps)")
        let m = mfcc([Float](repeating: 0, count: 1600))
        for f in 0..<9 {
            XCTAssertEqual(m.values[f * 13], logEps)                        // energy floor
            XCTAssertTrue(m.values[(f * 13 + 1)..<(f * 13 + 13)].allSatisfy { abs($0) < 1e-5 })
        }
        let e = mfcc([])
        XCTAssertEqual(e.frames, 1)
        XCTAssertEqual(e.values[0], logEps)
    }

    func testFbankIsTheExponentOfLogfbankAndEnergyIsC0() {
        let x = testSignal(2000, rate: 16000)
        let f = fbank(x), l = logfbank(x), m = mfcc(x)
        XCTAssertEqual(f.frames, 11)
        XCTAssertEqual(f.energy.count, 11)
        assertClose(f.values.map { Float(log(Double($0))) }, l.values, tolerance: 1e-6, "log(fbank) vs logfbank")
        assertClose(f.energy.map { Float(log(Double($0))) }, (0..<11).map { m.values[$0 * 13] }, tolerance: 1e-6,
                    "log(energy) vs mfcc c0")
    }

    func testBatchMatchesSingleWindowsAcrossThreads() {
        let clips = [testSignal(5000, rate: 16000), testSignal(3000, rate: 16000, frequency: 250)]
        let windows = (0..<23).map { i in WindowRef(clip: i % 2, start: (i * 97) % 1400) }
        let extractor = FeatureExtractor.shared(FeatureParameters())
        for kind in [FeatureKind.mfcc, .logfbank] {
            let batch = extractor.computeBatch(kind, clips: clips, windows: windows, length: 1600, threads: 3)
            let single = extractor.computeBatch(kind, clips: clips, windows: windows, length: 1600, threads: 1)
            XCTAssertEqual(batch, single, "\(kind): threads must not change results")
            let per = 9 * extractor.width(kind)
            XCTAssertEqual(batch.count, windows.count * per)
            for (i, w) in windows.enumerated() {
                let one = extractor.compute(kind, Array(clips[w.clip][w.start..<(w.start + 1600)]))
                XCTAssertEqual(Array(batch[(i * per)..<((i + 1) * per)]), one.values, "\(kind) window \(i)")
            }
        }
    }

    func testConcurrentPlanCreationAndUse() {
        // Several parameter sets (several FFT sizes) built and used from many threads at once.
        let sizes = [512, 1103, 600, 257, 1024, 2048, 384, 999]
        let signal = testSignal(4000, rate: 16000)
        let expected = sizes.map { mfcc(signal, FeatureParameters(nfft: $0)).values }
        nonisolated(unsafe) var results = [[Float]](repeating: [], count: 32)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            let p = FeatureParameters(nfft: sizes[i % sizes.count])
            let v = FeatureExtractor(p).compute(.mfcc, signal).values
            lock.lock(); results[i] = v; lock.unlock()
        }
        for i in 0..<32 { XCTAssertEqual(results[i], expected[i % sizes.count], "run \(i)") }
    }

    func testInvalidParametersThrowNamingTheKey() {
        func key(_ p: FeatureParameters) -> String? {
            do { try p.validate(); return nil } catch let e as FeatureParameters.Invalid {
                return e.key
            } catch { return "?" }
        }
        XCTAssertNil(key(FeatureParameters()))
        XCTAssertEqual(key(FeatureParameters(numcep: 30)), "numcep")
        XCTAssertEqual(key(FeatureParameters(nfft: 0)), "nfft")
        XCTAssertEqual(key(FeatureParameters(nfilt: 0)), "nfilt")
        XCTAssertEqual(key(FeatureParameters(sampleRate: 0)), "sampleRate")
        XCTAssertEqual(key(FeatureParameters(highFreq: 9000)), "highFreq")
        XCTAssertEqual(key(FeatureParameters(winlen: 0)), "winlen")
        XCTAssertEqual(key(FeatureParameters(winstep: .nan)), "winstep")
        XCTAssertEqual((try? FeatureParameters(numcep: 30).validate()) == nil, true)
        do { try FeatureParameters(numcep: 30).validate() } catch {
            XCTAssertEqual("\(error)", "feature parameter numcep: 30 must be in 1...nfilt (26)")
        }
    }
}
