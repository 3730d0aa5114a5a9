import Foundation
import Pipeline
import Tensor
import XCTest

/// The draws of each augmentation: their distributions, their ranges, the SNR realised by the
/// noise, and that every draw is a function of (seed, epoch, step, row) alone.
final class AugmentationDrawTests: XCTestCase {
    func rng(_ step: Int, row: Int = 0, stream: AugmentationRandom.Stream = .audio) -> RandomGenerator {
        AugmentationRandom.generator(seed: 7, epoch: 1, step: step, row: row, stream: stream)
    }

    func audio(_ edit: (inout AugmentationConfig) -> Void) -> AudioAugmentation {
        var c = AugmentationConfig()
        edit(&c)
        return AudioAugmentation(config: c, rate: 16000, noiseBank: NoiseBank(clips: [tone(3000, 440)]))
    }

    func tone(_ n: Int, _ hz: Double) -> [Float] {
        (0..<n).map { Float(0.3 * sin(2 * .pi * hz * Double($0) / 16000)) }
    }

    func testGeneratorsDependOnSeedEpochStepRowAndStreamOnly() {
        var a = rng(3, row: 2), b = rng(3, row: 2)
        XCTAssertEqual(a.next(), b.next())
        var others = [rng(4, row: 2), rng(3, row: 1), rng(3, row: 2, stream: .masks),
                      AugmentationRandom.generator(seed: 7, epoch: 2, step: 3, row: 2, stream: .audio),
                      AugmentationRandom.generator(seed: 8, epoch: 1, step: 3, row: 2, stream: .audio)]
        var reference = rng(3, row: 2)
        let first = reference.next()
        for i in others.indices { XCTAssertNotEqual(others[i].next(), first, "generator \(i)") }
    }

    func testGainIsUniformInDecibelsAndShiftsStayInRange() {
        let a = audio { $0.gainDB = -6...6; $0.timeShiftSeconds = 0.01 }
        XCTAssertEqual(a.maximumShift, 160)
        let draws = (0..<4000).map { i -> AudioAugmentation.Draw in var r = rng(i); return a.draw(&r) }
        let gains = draws.map(\.gainDB), shifts = draws.map(\.shift)
        XCTAssertTrue(gains.allSatisfy { $0 >= -6 && $0 < 6 })
        XCTAssertEqual(gains.reduce(0, +) / 4000, 0, accuracy: 0.2)
        for q in [-3.0, 0, 3] {       // uniform: the share below q is (q + 6) / 12
            XCTAssertEqual(Double(gains.filter { $0 < q }.count) / 4000, (q + 6) / 12, accuracy: 0.03)
        }
        XCTAssertTrue(shifts.allSatisfy { abs($0) <= 160 })
        XCTAssertEqual(shifts.min(), -160)
        XCTAssertEqual(shifts.max(), 160)
        XCTAssertEqual(Double(shifts.reduce(0, +)) / 4000, 0, accuracy: 5)
        XCTAssertTrue(draws.allSatisfy { $0.snrDB == nil })
        // the gain and the shift as applied: moved content, silence from outside, times 10^(g/20)
        let clip = (0..<100).map { Float($0 + 1) }
        var r = rng(0)
        let d = AudioAugmentation.Draw(shift: 3, gainDB: 20, snrDB: nil)
        let out = a.apply(d, clip: clip, start: 1, length: 5, rng: &r)
        XCTAssertEqual(out, [0, 0, 10, 20, 30])
    }

    func testNoiseProbabilityAndSNRDraws() {
        let a = audio { $0.noise = .init(); $0.noise!.snrDB = 5...15; $0.noise!.probability = 0.5 }
        let snrs = (0..<4000).map { i -> Double? in var r = rng(i); return a.draw(&r).snrDB }
        let drawn = snrs.compactMap { $0 }
        XCTAssertEqual(Double(drawn.count) / 4000, 0.5, accuracy: 0.03)
        XCTAssertTrue(drawn.allSatisfy { $0 >= 5 && $0 < 15 })
        XCTAssertEqual(drawn.reduce(0, +) / Double(drawn.count), 10, accuracy: 0.25)
    }

    func testRealisedSNRForWhitePinkAndFolderNoise() {
        let signal = tone(1600, 1000)
        for kind in AugmentationConfig.NoiseAugmentation.Kind.allCases {
            let a = audio { $0.noise = .init(); $0.noise!.kind = kind }
            for (i, snr) in [0.0, 12.5, 30].enumerated() {
                var r = rng(i)
                let out = a.apply(.init(snrDB: snr), clip: signal, start: 0, length: 1600, rng: &r)
                let noise = zip(out, signal).map { $0 - $1 }
                let realised = 10 * log10(NoiseSignal.power(signal) / NoiseSignal.power(noise))
                XCTAssertEqual(realised, snr, accuracy: 0.01, "\(kind) at \(snr) dB")
            }
        }
        // pink noise's power falls with frequency: its first differences carry far less power
        // than white noise's (2 x its power)
        var r = rng(9)
        let white = NoiseSignal.white(count: 16000, rng: &r), pink = NoiseSignal.pink(count: 16000, rng: &r)
        func differenceRatio(_ x: [Float]) -> Double {
            NoiseSignal.power(zip(x.dropFirst(), x).map { $0 - $1 }) / NoiseSignal.power(x)
        }
        XCTAssertEqual(differenceRatio(white), 2, accuracy: 0.1)
        XCTAssertLessThan(differenceRatio(pink), 0.5)
        // folder noise is a stretch of a bank clip (wrapping round)
        let stretch = NoiseSignal.stretch(of: [[1, 2, 3]], count: 7, rng: &r)
        XCTAssertTrue([[1, 2, 3, 1, 2, 3, 1], [2, 3, 1, 2, 3, 1, 2], [3, 1, 2, 3, 1, 2, 3]].contains(stretch))
    }

    /// Pink noise starts in the filter's stationary state: the variance of its first sample over
    /// many generators equals the stationary variance of the filter's output, worked out here from
    /// the filter's recursion (9.32; a run from a zero state starts at 2.71 and needs ~2,000 samples
    /// to get within 0.2% of it).
    func testPinkNoiseIsStationaryFromItsFirstSample() {
        let a: [Double] = [0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616]
        let g: [Double] = [0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980]
        let d = 0.115926, c = 0.5362
        // y_t = sum_k b_k(t) + d w_(t-1) + c w_t, with b_k(t) = sum_j a_k^j g_k w_(t-j)
        var stationary = d * d + c * c
        for k in 0..<6 {
            stationary += 2 * g[k] * (a[k] * d + c)
            for l in 0..<6 { stationary += g[k] * g[l] / (1 - a[k] * a[l]) }
        }
        XCTAssertEqual(stationary, 9.318, accuracy: 0.001)
        let n = 4000
        var first = [Double](), second = [Double]()
        for i in 0..<n {
            var r = RandomGenerator(seed: UInt64(1000 + i))
            let y = NoiseSignal.pink(count: 2, rng: &r)
            first.append(Double(y[0])); second.append(Double(y[1]))
        }
        func variance(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } / Double(x.count) }
        // the estimate's relative standard error is sqrt(2 / n), 2.2%
        XCTAssertEqual(variance(first) / stationary, 1, accuracy: 0.08)
        XCTAssertEqual(variance(second) / stationary, 1, accuracy: 0.08)
    }

    func testSpecAugmentMaskCountsWidthsAndValues() {
        var s = AugmentationConfig.SpecAugmentSettings()
        (s.timeMasks, s.timeWidth, s.freqMasks, s.freqWidth) = (2, 4, 3, 20)
        let masker = SpecAugment(s)
        var widths: [Int] = []
        for i in 0..<2000 {
            var r = rng(i, stream: .masks)
            let masks = masker.masks(frames: 9, coefficients: 13, rng: &r)
            XCTAssertEqual(masks.filter(\.time).count, 2)
            XCTAssertEqual(masks.filter { !$0.time }.count, 3)
            for m in masks {
                XCTAssertLessThanOrEqual(m.width, m.time ? 4 : 13, "a width is at most the axis")
                XCTAssertTrue(m.start >= 0 && m.start + m.width <= (m.time ? 9 : 13))
            }
            widths += masks.filter(\.time).map(\.width)
        }
        XCTAssertEqual(Set(widths), Set(0...4))
        XCTAssertEqual(Double(widths.reduce(0, +)) / Double(widths.count), 2, accuracy: 0.1)
        // applied: exactly the masked frames and coefficients are 0
        var x = [Float](repeating: 1, count: 9 * 13)
        let masks = [SpecAugment.Mask(time: true, start: 2, width: 3),
                     SpecAugment.Mask(time: false, start: 5, width: 2)]
        x.withUnsafeMutableBufferPointer { SpecAugment.apply(masks, to: $0.baseAddress!, frames: 9, coefficients: 13) }
        for f in 0..<9 {
            for c in 0..<13 {
                XCTAssertEqual(x[f * 13 + c], (2..<5).contains(f) || (5..<7).contains(c) ? 0 : 1, "(\(f), \(c))")
            }
        }
    }

    func testMixupLambdaIsBetaDistributedAndTargetsMix() {
        for alpha in [0.2, 2.0] {
            let lambdas = (0..<6000).map { i -> Double in
                var r = rng(i, row: -1, stream: .mixup)
                return Mixup(alpha: alpha).draw(count: 4, rng: &r).lambda
            }
            let mean = lambdas.reduce(0, +) / 6000
            let variance = lambdas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6000
            XCTAssertTrue(lambdas.allSatisfy { $0 >= 0 && $0 <= 1 })
            XCTAssertEqual(mean, 0.5, accuracy: 0.02, "alpha \(alpha)")
            XCTAssertEqual(variance, 1 / (4 * (2 * alpha + 1)), accuracy: 0.01, "alpha \(alpha)")
        }
        var r = rng(0, row: -1, stream: .mixup)
        let partner = Mixup(alpha: 1).draw(count: 16, rng: &r).partner
        XCTAssertEqual(partner.sorted(), Array(0..<16))
        var x = Tensor(shape: [3, 2], data: [1, 1, 2, 2, 4, 4]), labels: [Int32] = [0, 1, 2]
        let t = Mixup.apply(lambda: 0.75, partner: [1, 2, 0], x: &x, labels: &labels, classes: 3)
        XCTAssertEqual(x.data, [1.25, 1.25, 2.5, 2.5, 3.25, 3.25])
        XCTAssertEqual(t.data, [0.75, 0.25, 0, 0, 0.75, 0.25, 0.25, 0, 0.75])
        XCTAssertEqual(labels, [0, 1, 2], "the label with the larger share")
    }
}
