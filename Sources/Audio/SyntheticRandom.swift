import Foundation

/// The synthetic generator's own seeded random numbers (SplitMix64).
///
/// Audio does not depend on Tensor, so it cannot use `RandomGenerator`; this small generator keeps
/// the demo data reproducible on every machine: same seed, same stream.
struct SyntheticRandom {
    private var state: UInt64

    /// A generator for stream `stream` of `seed`: clips draw from separate streams, so one clip's
    /// samples do not depend on how many random numbers the clips before it used.
    init(seed: UInt64, stream: UInt64 = 0) {
        state = SyntheticRandom.mix(seed ^ SyntheticRandom.mix(stream &+ 0x6A09_E667_F3BC_C909))
    }

    /// SplitMix64's output function (a 64-bit bijective mixer).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// Log-uniform in [low, high): equal probability per octave (used for frequencies).
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        exp(uniform(log(low), log(high)))
    }

    /// Uniform integer in `range` (the tiny modulo bias of 2^64 % n is irrelevant here).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// A standard normal sample (Box-Muller, one of the pair).
    mutating func normal() -> Double {
        let u1 = max(uniform(), Double.leastNonzeroMagnitude)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
