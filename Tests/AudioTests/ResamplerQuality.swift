import Foundation

/// Passband ripple and stopband rejection of a resampler, measured on a sine sweep and on white
/// noise (periodic random-phase multitone), for ResamplerQualityTests.
///
/// - Passband ripple (dB): the largest |20 log10 gain| over the band. Sweep: a 4 s chirp (see
///   `chirpPhase`); its gain is fitted (least squares on the exact sin and cos of its phase)
///   over blocks of 20 ms of output. Noise: equal-amplitude tones every 10 Hz with seeded random
///   phases, periodic over 0.1 s; each tone's gain is its DFT bin over one output period.
/// - Stopband rejection (dB, larger is better): input level over output level when every input
///   frequency lies above the output's Nyquist frequency (all the output is aliasing). Sweep: the
///   worst (loudest) 20 ms block; noise: the RMS over one output period.
///
/// The first and last 0.1 s of output (the filters' start and end) are not measured.
struct ResamplerQuality {
    typealias Resample = ([Float], Int, Int) throws -> [Float]

    let from: Int
    let to: Int
    let resample: Resample

    /// Sweep amplitude; the noise's tones add up to the same RMS (0.5 / sqrt 2).
    static let amplitude = 0.5
    private static let sweepSeconds = 4.0, edge = 0.1, blockSeconds = 0.02

    // MARK: Sine sweep

    /// The chirp's phase at time t: its frequency rises from f0 to f1 Hz over `sweepSeconds` along a
    /// raised cosine, f(t) = f0 + (f1 - f0) (1 - cos(pi t / T)) / 2, smooth at both ends (a kink in a
    /// linear sweep spreads a little of the tone to both sides of its frequency, so below the stopband).
    static func chirpPhase(_ t: Double, _ f0: Double, _ f1: Double) -> Double {
        let T = sweepSeconds
        return 2 * .pi * (f0 * t + 0.5 * (f1 - f0) * (t - T / .pi * sin(.pi * t / T)))
    }

    private func chirp(_ f0: Double, _ f1: Double) throws -> [Double] {
        let n = Int(Self.sweepSeconds * Double(from))
        let x = (0..<n).map { Float(Self.amplitude * sin(Self.chirpPhase(Double($0) / Double(from), f0, f1))) }
        return try resample(x, from, to).map(Double.init)
    }

    /// The measured 20 ms blocks of output: index ranges inside the edges.
    private func blocks(_ count: Int) -> [Range<Int>] {
        let b = Int(Self.blockSeconds * Double(to)), first = Int(Self.edge * Double(to))
        return Array(stride(from: first, through: count - first - b, by: b)).map { $0..<($0 + b) }
    }

    /// Ripple (dB) of a chirp from f0 to f1 Hz, all inside the passband.
    func sweepRipple(_ f0: Double, _ f1: Double) throws -> Double {
        let y = try chirp(f0, f1)
        var worst = 0.0
        for block in blocks(y.count) {
            var ss = 0.0, sc = 0.0, cc = 0.0, ys = 0.0, yc = 0.0
            for i in block {
                let phase = Self.chirpPhase(Double(i) / Double(to), f0, f1)
                let s = sin(phase), c = cos(phase)
                ss += s * s; sc += s * c; cc += c * c; ys += y[i] * s; yc += y[i] * c
            }
            let det = ss * cc - sc * sc
            let a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det
            worst = max(worst, abs(20 * log10((a * a + b * b).squareRoot() / Self.amplitude)))
        }
        return worst
    }

    /// Rejection (dB) of a chirp from f0 to f1 Hz, all above the output's Nyquist frequency.
    func sweepRejection(_ f0: Double, _ f1: Double) throws -> Double {
        let y = try chirp(f0, f1)
        let loudest = blocks(y.count).map { block in
            (block.reduce(0.0) { $0 + y[$1] * y[$1] } / Double(block.count)).squareRoot()
        }
        if ProcessInfo.processInfo.environment["RQ_DEBUG"] != nil {
            for (i, l) in loudest.enumerated() where i % 10 == 0 || -20 * log10(l / 0.3535) < 100 {
                print("block", i, -20 * log10(l / 0.3535)) }
        }
        let worst = loudest.max() ?? 0
        _ = worst
        return -20 * log10(max(loudest.max() ?? 0, 1e-30) / (Self.amplitude / 2.squareRoot()))
    }

    // MARK: White noise (periodic multitone)

    /// One period is 0.1 s: tones every 10 Hz fit it exactly at both rates.
    private var periodIn: Int { from / 10 }
    private var periodOut: Int { to / 10 }

    /// 1 s of equal-amplitude tones at 10 Hz x `tones`, seeded random phases, RMS amplitude / sqrt 2.
    private func multitone(_ tones: ClosedRange<Int>) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let phases = tones.map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 2 * .pi * Double(state >> 11) / Double(1 << 53)
        }
        let a = Self.amplitude / Double(tones.count).squareRoot()
        let n = periodIn
        let sines = (0..<n).map { sin(2 * .pi * Double($0) / Double(n)) }
        let cosines = (0..<n).map { cos(2 * .pi * Double($0) / Double(n)) }
        var period = [Double](repeating: 0, count: n)
        for (m, phase) in zip(tones, phases) {
            let c = a * cos(phase), s = a * sin(phase)          // sin(x + phase) = sin x cos phase + cos x sin phase
            for i in 0..<n { period[i] += sines[(m * i) % n] * c + cosines[(m * i) % n] * s }
        }
        return (0..<(10 * periodIn)).map { Float(period[$0 % periodIn]) }
    }

    /// The output period starting at 0.5 s.
    private func steadyPeriod(_ tones: ClosedRange<Int>) throws -> [Double] {
        let y = try resample(multitone(tones), from, to)
        let start = 5 * periodOut
        return y[start..<(start + periodOut)].map(Double.init)
    }

    /// Ripple (dB) over tones at 10 Hz x `tones`, all inside the passband.
    func noiseRipple(_ tones: ClosedRange<Int>) throws -> Double {
        let y = try steadyPeriod(tones)
        let n = periodOut, a = Self.amplitude / Double(tones.count).squareRoot()
        let cosines = (0..<n).map { cos(2 * .pi * Double($0) / Double(n)) }
        let sines = (0..<n).map { sin(2 * .pi * Double($0) / Double(n)) }
        var worst = 0.0
        for m in tones {
            var re = 0.0, im = 0.0
            for i in 0..<n { re += y[i] * cosines[(m * i) % n]; im -= y[i] * sines[(m * i) % n] }
            let gain = 2 * (re * re + im * im).squareRoot() / Double(n) / a
            worst = max(worst, abs(20 * log10(gain)))
        }
        return worst
    }

    /// Rejection (dB) of tones at 10 Hz x `tones`, all above the output's Nyquist frequency.
    func noiseRejection(_ tones: ClosedRange<Int>) throws -> Double {
        let y = try steadyPeriod(tones)
        let rms = (y.reduce(0) { $0 + $1 * $1 } / Double(y.count)).squareRoot()
        return -20 * log10(max(rms, 1e-30) / (Self.amplitude / 2.squareRoot()))
    }
}
