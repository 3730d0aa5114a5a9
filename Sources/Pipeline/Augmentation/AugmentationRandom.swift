import Foundation
import Tensor

/// The random streams of augmentation. Every draw comes from a generator seeded by
/// (seed, epoch, step, row, stream) alone, never from a stream shared across steps, so that a
/// resumed run draws exactly what the uninterrupted run drew at the same step.
public enum AugmentationRandom {
    /// What a stream is for (one independent stream per purpose and row).
    public enum Stream: UInt64, Sendable {
        case audio = 1, masks = 2, mixup = 3
    }

    /// The generator of (seed, epoch, step, row, stream); row -1 is the batch's own stream.
    public static func generator(seed: UInt64, epoch: Int, step: Int, row: Int,
                                 stream: Stream) -> RandomGenerator {
        var h = seed ^ 0xA076_1D64_78BD_642F
        for v in [UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(step)),
                  UInt64(bitPattern: Int64(row)), stream.rawValue] {
            h = mix(h ^ v)
        }
        return RandomGenerator(seed: h)
    }

    /// SplitMix64's finaliser (a bijection that spreads every input bit over the output).
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomGenerator {
    /// Uniform in [range.lowerBound, range.upperBound) (the bound itself for an empty range).
    mutating func nextUniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniformDouble()
    }

    /// log of a Gamma(shape, 1) sample: Marsaglia and Tsang's method, with the boost
    /// Gamma(a) = Gamma(a + 1) * U^(1/a) for shape < 1 (kept in logs so small shapes do not underflow).
    mutating func nextLogGamma(shape a: Double) -> Double {
        if a < 1 {
            let u = max(nextUniformDouble(), .leastNonzeroMagnitude)
            return nextLogGamma(shape: a + 1) + Foundation.log(u) / a
        }
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(nextNormal()), v = 1 + c * x
            guard v > 0 else { continue }
            let v3 = v * v * v
            let u = max(nextUniformDouble(), .leastNonzeroMagnitude)
            if Foundation.log(u) < 0.5 * x * x + d - d * v3 + d * Foundation.log(v3) { return Foundation.log(d * v3) }
        }
    }

    /// A Beta(a, b) sample: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let lx = nextLogGamma(shape: a), ly = nextLogGamma(shape: b)
        return 1 / (1 + Foundation.exp(ly - lx))
    }
}
