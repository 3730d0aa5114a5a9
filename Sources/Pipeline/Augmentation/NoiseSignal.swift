import Foundation
import Tensor

/// The noise signals of the noise augmentation and their mixing at a signal-to-noise ratio.
///
///     white, pink: rng -> n (L);  folder: clips, rng -> n (L);  mix: s (L), n (L), snr -> s + a n
public enum NoiseSignal {
    /// Gaussian white noise of `count` samples, unit variance.
    public static func white(count: Int, rng: inout RandomGenerator) -> [Float] {
        rng.normals(count)
    }

    /// Pink noise (-3 dB per octave) of `count` samples: white noise through Paul Kellet's refined
    /// filter (accurate to about 0.05 dB above 1/1000 of the sample rate), started in its stationary
    /// state: the filter's seven state values are drawn first, from their joint Gaussian distribution
    /// after an infinite run (`PinkFilter.stationaryFactor`), so the first sample is as pink as the
    /// thousandth with no warm-up run.
    ///
    ///     rng -> normals (7 + count): the state, then the input -> n (count)
    public static func pink(count: Int, rng: inout RandomGenerator) -> [Float] {
        let o = PinkFilter.order
        let draws = rng.normals(o + count)
        let state = PinkFilter.stationaryFactor.map { row in
            Float((0..<o).reduce(0.0) { $0 + row[$1] * Double(draws[$1]) })
        }
        // the state in locals, not an array (the loop runs once per sample)
        var b0 = state[0], b1 = state[1], b2 = state[2], b3 = state[3], b4 = state[4], b5 = state[5], b6 = state[6]
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let w = draws[o + i]
            b0 = 0.99886 * b0 + w * 0.0555179
            b1 = 0.99332 * b1 + w * 0.0750759
            b2 = 0.96900 * b2 + w * 0.1538520
            b3 = 0.86650 * b3 + w * 0.3104856
            b4 = 0.55000 * b4 + w * 0.5329522
            b5 = -0.7616 * b5 - w * 0.0168980
            out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362
            b6 = w * 0.115926
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
