import Foundation
import Tensor

/// The noise signals of the noise augmentation and their mixing at a signal-to-noise ratio.
///
///     white, pink: rng -> n (L);  folder: clips, rng -> n (L);  mix: s (L), n (L), snr -> s + a n
public enum NoiseSignal {
    /// Gaussian white noise of `count` samples, unit variance.
    public static func white(count: Int, rng: inout RandomGenerator) -> [Float] {
        (0..<count).map { _ in rng.nextNormal() }
    }

    /// Samples of the pink filter run before the output starts, so that its slowest pole (time
    /// constant about 900 samples) has settled.
    public static let pinkWarmUp = 2048

    /// Pink noise (-3 dB per octave) of `count` samples: white noise through Paul Kellet's refined
    /// filter (accurate to about 0.05 dB above 1/1000 of the sample rate), after `pinkWarmUp` samples.
    public static func pink(count: Int, rng: inout RandomGenerator) -> [Float] {
        var b = [Float](repeating: 0, count: 7)
        var out = [Float](repeating: 0, count: count)
        for i in 0..<(pinkWarmUp + count) {
            let w = rng.nextNormal()
            b[0] = 0.99886 * b[0] + w * 0.0555179
            b[1] = 0.99332 * b[1] + w * 0.0750759
            b[2] = 0.96900 * b[2] + w * 0.1538520
            b[3] = 0.86650 * b[3] + w * 0.3104856
            b[4] = 0.55000 * b[4] + w * 0.5329522
            b[5] = -0.7616 * b[5] - w * 0.0168980
            let y = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362
            b[6] = w * 0.115926
            if i >= pinkWarmUp { out[i - pinkWarmUp] = y }
        }
        return out
    }

    /// `count` samples of a random clip of `clips` from a random start, wrapping round to the
    /// clip's beginning when it is shorter.
    public static func stretch(of clips: [[Float]], count: Int, rng: inout RandomGenerator) -> [Float] {
        let clip = clips[rng.nextInt(below: clips.count)]
        let start = rng.nextInt(below: clip.count)
        return (0..<count).map { clip[(start + $0) % clip.count] }
    }

    /// Mean square of `x` (in Double).
    public static func power(_ x: [Float]) -> Double {
        x.isEmpty ? 0 : x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
    }

    /// Adds `noise` to `signal` scaled so that power(signal) / power(scaled noise) is 10^(snr / 10).
    /// A silent signal or noise is left as it is (the ratio is undefined).
    public static func mix(_ noise: [Float], into signal: inout [Float], snrDB: Double) {
        let ps = power(signal), pn = power(noise)
        guard ps > 0, pn > 0 else { return }
        let a = Float((ps / (pn * Foundation.pow(10, snrDB / 10))).squareRoot())
        for i in signal.indices { signal[i] += a * noise[i] }
    }
}
