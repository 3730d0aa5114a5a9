@testable import Audio
import Foundation
import XCTest

/// The synthetic demo dataset: determinism, ranges, labels, and that its classes really differ.
final class SyntheticTests: XCTestCase {
    static let rate = 16000
    /// 5 clips of 1 s per class, generated once for the whole test case.
    static let clips = SyntheticDataset.generate(clipsPerClass: 5, seconds: 1.0, sampleRate: rate, seed: 42)

    func testSameSeedSameSamplesOtherSeedOtherSamples() {
        let a = SyntheticDataset.generate(clipsPerClass: 2, seconds: 0.25, seed: 7)
        let b = SyntheticDataset.generate(clipsPerClass: 2, seconds: 0.25, seed: 7)
        XCTAssertEqual(a, b)
        let c = SyntheticDataset.generate(clipsPerClass: 2, seconds: 0.25, seed: 8)
        for (x, y) in zip(a, c) { XCTAssertNotEqual(x.samples, y.samples, x.name) }
        // each clip has its own stream: more clips per class do not change the first ones
        let more = SyntheticDataset.generate(clipsPerClass: 3, seconds: 0.25, seed: 7)
        XCTAssertEqual(more.filter { $0.name == "low_001.wav" }, a.filter { $0.name == "low_001.wav" })
    }

    func testNamesLabelsAndLengths() {
        let clips = Self.clips
        XCTAssertEqual(clips.count, 15)
        XCTAssertEqual(clips.map(\.name).prefix(3), ["high_000.wav", "high_001.wav", "high_002.wav"])
        XCTAssertEqual(clips.last?.name, "low_004.wav")
        XCTAssertEqual(Set(clips.map(\.name)).count, 15)
        for label in SyntheticDataset.labels {
            XCTAssertEqual(clips.filter { $0.label == label }.count, 5, label)
        }
        for clip in clips {
            XCTAssertTrue(clip.name.hasPrefix(clip.label + "_"), clip.name)
            XCTAssertEqual(clip.samples.count, 16000, clip.name)
        }
        let csv = SyntheticDataset.csv(for: Array(clips.prefix(2)))
        XCTAssertEqual(csv, "fname,label\nhigh_000.wav,high\nhigh_001.wav,high\n")
        let lowRate = SyntheticDataset.generate(clipsPerClass: 1, seconds: 0.5, sampleRate: 8000, seed: 1)
        XCTAssertEqual(lowRate[0].samples.count, 4000)
    }

    func testSamplesFiniteInRangeAndPeakAsRecipe() {
        for clip in Self.clips {
            XCTAssertTrue(clip.samples.allSatisfy { $0.isFinite && abs($0) <= 1 }, clip.name)
            let peak = clip.samples.reduce(0) { max($0, abs($1)) }
            XCTAssertEqual(Double(peak), clip.recipe.peak, accuracy: 1e-6, clip.name)
            XCTAssertGreaterThanOrEqual(peak, 0.3, clip.name)
        }
    }

    /// The cleaning step keeps sample i iff the mean |y| over a centred 0.1 s window is > 0.0005
    /// (docs/WORKFLOW.md §2.3). Every clip must stay well above that everywhere, even at its faded ends.
    func testClipsSurviveTheEnvelopeGate() {
        let w = Self.rate / 10
        for clip in Self.clips {
            let n = clip.samples.count
            var prefix = [Double](repeating: 0, count: n + 1)
            for i in 0..<n { prefix[i + 1] = prefix[i] + Double(abs(clip.samples[i])) }
            var lowest = Double.infinity
            for i in 0..<n {
                let lo = max(0, i - w / 2), hi = min(n, i + w / 2)
                lowest = min(lowest, (prefix[hi] - prefix[lo]) / Double(hi - lo))
            }
            XCTAssertGreaterThan(lowest, 0.01, "\(clip.name): lowest centred mean |y| \(lowest)")
        }
    }

    /// Recipes by label: graded noise and degradations; tone parameters from the same ranges for all
    /// labels (so pitch says nothing about quality). Checked on 300 recipes per label (no rendering).
    func testRecipesAreGradedByLabelAndToneIsNot() {
        var meanLogF0: [String: Double] = [:]
        for (c, label) in SyntheticDataset.labels.enumerated() {
            var logF0 = 0.0, lowF0 = 0, highF0 = 0
            for index in 0..<300 {
                var rng = SyntheticRandom(seed: 3, stream: UInt64(c) << 32 | UInt64(index))
                let r = SyntheticRecipe.draw(label: label, using: &rng)
                XCTAssert((110...880).contains(r.fundamental) && (1...6).contains(r.harmonics), "\(r)")
                logF0 += log(r.fundamental) / 300
                if r.fundamental < 200 { lowF0 += 1 }
                if r.fundamental > 500 { highF0 += 1 }
                let snr = try! XCTUnwrap(r.snrDB)
                let degradations = [r.clipDrive != nil, r.lowpassHz != nil, r.reverb != nil, r.compression != nil]
                    .filter { $0 }.count
                switch label {
                case "high":
                    XCTAssert(snr >= 40 && r.clipDrive == nil && r.reverb == nil && degradations <= 1, "\(r)")
                    if let cutoff = r.lowpassHz { XCTAssertGreaterThanOrEqual(cutoff, 6000) }
                case "medium":
                    XCTAssert(snr >= 15 && snr <= 22 && degradations == 2, "\(r)")
                default:
                    XCTAssert(snr <= 4 && degradations >= 3, "\(r)")
                    if let drive = r.clipDrive { XCTAssertGreaterThanOrEqual(drive, 4) }
                    if let cutoff = r.lowpassHz { XCTAssertLessThanOrEqual(cutoff, 1500) }
                }
            }
            XCTAssertGreaterThan(lowF0, 40, "\(label): few low fundamentals")
            XCTAssertGreaterThan(highF0, 40, "\(label): few high fundamentals")
            meanLogF0[label] = logF0
        }
        let values = meanLogF0.values
        XCTAssertLessThan(values.max()! - values.min()!, log(1.15), "mean fundamental differs by label: \(meanLogF0)")
    }

    /// A statistic computed here, independently of the generator: spectral flatness (geometric over
    /// arithmetic mean of the Hann-windowed power spectrum, averaged over 8 frames of 512) must put
    /// every high clip below every medium clip below every low clip, with a decade of margin.
    func testSpectralFlatnessSeparatesTheClasses() {
        var flatness: [String: [Double]] = [:]
        for clip in Self.clips { flatness[clip.label, default: []].append(log10(Self.flatness(clip.samples))) }
        let high = flatness["high"]!, medium = flatness["medium"]!, low = flatness["low"]!
        XCTAssertLessThan(high.max()! + 1, medium.min()!, "log10 flatness high \(high) medium \(medium)")
        XCTAssertLessThan(medium.max()! + 0.5, low.min()!, "log10 flatness medium \(medium) low \(low)")
    }

    static func flatness(_ x: [Float]) -> Double {
        let n = 512, frames = 8
        let hop = (x.count - n) / (frames - 1)
        let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        let cosTable = (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) }
        let sinTable = (0..<n).map { sin(2 * Double.pi * Double($0) / Double(n)) }
        var power = [Double](repeating: 0, count: n / 2)
        for f in 0..<frames {
            let frame = (0..<n).map { Double(x[f * hop + $0]) * window[$0] }
            for k in 1...(n / 2) {   // naive DFT, bins 1...256
                var re = 0.0, im = 0.0
                for t in 0..<n {
                    let j = (k * t) % n
                    re += frame[t] * cosTable[j]
                    im -= frame[t] * sinTable[j]
                }
                power[k - 1] += re * re + im * im
            }
        }
        let logMean = power.map { log($0 + 1e-30) }.reduce(0, +) / Double(power.count)
        return exp(logMean) / (power.reduce(0, +) / Double(power.count))
    }

    // MARK: the degradations on their own

    func testNoiseHasTheRequestedSNR() {
        var rng = SyntheticRandom(seed: 5)
        let clean = (0..<32000).map { 0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000) }
        var noisy = clean
        SyntheticSignal.addNoise(&noisy, snrDB: 10, using: &rng)
        let noise = zip(noisy, clean).map { $0 - $1 }
        let snr = 20 * log10(SyntheticSignal.rms(clean) / SyntheticSignal.rms(noise))
        XCTAssertEqual(snr, 10, accuracy: 0.2)
    }

    func testLowpassClipAndCompression() {
        func sine(_ hz: Double) -> [Double] { (0..<16000).map { sin(2 * Double.pi * hz * Double($0) / 16000) } }
        var pass = sine(200), stop = sine(4000)
        SyntheticSignal.lowpass(&pass, cutoff: 1000, rate: 16000)
        SyntheticSignal.lowpass(&stop, cutoff: 1000, rate: 16000)
        let steady = { (x: [Double]) in SyntheticSignal.rms(Array(x[8000...])) / 0.5.squareRoot() }
        XCTAssertEqual(steady(pass), 1, accuracy: 0.01)                 // passband gain ~1
        XCTAssertLessThan(20 * log10(steady(stop)), -40)                 // 2 octaves up: ~ -48 dB

        var clipped = sine(300)
        SyntheticSignal.clip(&clipped, drive: 4)
        XCTAssertEqual(SyntheticSignal.peak(clipped), 1)
        let flat = Double(clipped.filter { abs($0) == 1 }.count) / Double(clipped.count)
        XCTAssertGreaterThan(flat, 0.8)   // a sine driven to 4x is clamped for 1 - 2 asin(1/4)/pi = 84%

        var loud = sine(300).enumerated().map { $0.offset < 8000 ? $0.element * 0.1 : $0.element }
        let before = SyntheticSignal.rms(Array(loud[8000...])) / SyntheticSignal.rms(Array(loud[..<8000]))
        SyntheticSignal.compress(&loud, ratio: 10, thresholdDB: -30, rate: 16000)
        let after = SyntheticSignal.rms(Array(loud[9000...])) / SyntheticSignal.rms(Array(loud[1000..<8000]))
        XCTAssertEqual(20 * log10(before), 20, accuracy: 0.01)
        XCTAssertLessThan(20 * log10(after), 4)   // 20 dB step above threshold -> ~2 dB with ratio 10
    }

    func testReverbKeepsLevelAndAddsATail() {
        var x = [Double](repeating: 0, count: 16000)
        for i in 0..<1600 { x[i] = sin(2 * Double.pi * 300 * Double(i) / 16000) }
        let dryRMS = SyntheticSignal.rms(x)
        SyntheticSignal.reverb(&x, time: 1.0, mix: 0.5, rate: 16000)
        XCTAssertTrue(x.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(SyntheticSignal.rms(Array(x[3200..<4800])), 0.01)   // sound after the burst ended
        XCTAssertEqual(SyntheticSignal.rms(x), dryRMS, accuracy: 0.5 * dryRMS)
    }
}
