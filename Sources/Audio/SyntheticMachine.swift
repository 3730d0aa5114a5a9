import Foundation

/// Signal pieces of the parts demo set: the shaft's phase, harmonic series, housing resonances and
/// pink room noise. Buffers are [Double] of n samples at `rate` Hz.
enum SyntheticMachine {
    /// The shaft angle in radians at every sample (unwrapped): speed `shaft` Hz with a slow
    /// sinusoidal wander of relative `depth` at `wanderHz`, starting at a random angle.
    /// - Returns: (n,) angles.
    static func shaftAngle(count n: Int, rate: Int, shaft: Double, depth: Double, wanderHz: Double,
                           using rng: inout SyntheticRandom) -> [Double] {
        let fs = Double(rate)
        let wanderPhase = rng.uniform(0, 2 * Double.pi)
        var theta = rng.uniform(0, 2 * Double.pi)
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { a in
            for i in 0..<n {
                a[i] = theta
                let f = shaft * (1 + depth * sin(2 * Double.pi * wanderHz * Double(i) / fs + wanderPhase))
                theta += 2 * Double.pi * f / fs
            }
        }
        return out
    }

    /// sum_k amplitudes[k] sin((k + 1) * scale * angle + phase_k) with random phases: a harmonic
    /// series on the angle `angle` (scale 0.5 gives the half orders of `angle`'s rotation).
    /// - Returns: (angle.count,) samples.
    static func series(_ amplitudes: [Double], angle: [Double], scale: Double = 1,
                       using rng: inout SyntheticRandom) -> [Double] {
        let m = amplitudes.count
        var cosPart = [Double](repeating: 0, count: m), sinPart = cosPart
        for k in 0..<m {
            let phase = rng.uniform(0, 2 * Double.pi)
            cosPart[k] = amplitudes[k] * cos(phase)
            sinPart[k] = amplitudes[k] * sin(phase)
        }
        var out = [Double](repeating: 0, count: angle.count)
        out.withUnsafeMutableBufferPointer { y in
            angle.withUnsafeBufferPointer { a in
                for i in 0..<a.count {
                    // a_k sin(k t + p) = Im(z^k) a_k cos(p) + Re(z^k) a_k sin(p), z = e^{i t}
                    let zr = cos(scale * a[i]), zi = sin(scale * a[i])
                    var wr = zr, wi = zi, sum = 0.0
                    for k in 0..<m {
                        sum += wi * cosPart[k] + wr * sinPart[k]
                        (wr, wi) = (wr * zr - wi * zi, wr * zi + wi * zr)
                    }
                    y[i] = sum
                }
            }
        }
        return out
    }

    /// The RBJ band-pass biquad with 0 dB gain at `hz` (bandwidth hz / q) applied to `x`.
    /// - Returns: (x.count,) filtered samples.
    static func bandpass(_ x: [Double], hz: Double, q: Double, rate: Int) -> [Double] {
        let fs = Double(rate)
        let w0 = 2 * Double.pi * min(hz, 0.45 * fs) / fs
        let alpha = sin(w0) / (2 * q), a0 = 1 + alpha
        let b0 = alpha / a0, b2 = -alpha / a0, a1 = -2 * cos(w0) / a0, a2 = (1 - alpha) / a0
        var out = [Double](repeating: 0, count: x.count)
        out.withUnsafeMutableBufferPointer { y in
            x.withUnsafeBufferPointer { input in
                var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
                for i in 0..<input.count {
                    let v = b0 * input[i] + b2 * x2 - a1 * y1 - a2 * y2
                    (x2, x1, y2, y1) = (x1, input[i], y1, v)
                    y[i] = v
                }
            }
        }
        return out
    }

    /// The housing: the direct path plus every resonance's band-pass, each scaled by its gain and
    /// the take's position change in dB (`positionDB[j]` for resonance j; missing entries are 0 dB).
    /// - Returns: (x.count,) samples.
    static func housing(_ x: [Double], _ resonances: [MachinePart.Resonance], positionDB: [Double],
                        rate: Int) -> [Double] {
        var out = x
        for (j, r) in resonances.enumerated() {
            let gain = r.gain * pow(10, (j < positionDB.count ? positionDB[j] : 0) / 20)
            let ring = bandpass(x, hz: r.hz, q: r.q, rate: rate)
            for i in 0..<out.count { out[i] += gain * ring[i] }
        }
        return out
    }

    /// Pink-ish noise of unit RMS: white Gaussian noise through Paul Kellet's three-pole economy
    /// filter (about -3 dB per octave over the audio band).
    /// - Returns: (n,) samples.
    static func pinkNoise(count n: Int, using rng: inout SyntheticRandom) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        var b0 = 0.0, b1 = 0.0, b2 = 0.0
        for i in 0..<n {
            let white = rng.normal()
            b0 = 0.99765 * b0 + white * 0.0990460
            b1 = 0.96300 * b1 + white * 0.2965164
            b2 = 0.57000 * b2 + white * 1.0526913
            out[i] = b0 + b1 + b2 + white * 0.1848
        }
        scale(&out, toRMS: 1)
        return out
    }

    /// Scales `x` so that its RMS is `target` (an all-zero buffer stays zero).
    static func scale(_ x: inout [Double], toRMS target: Double) {
        let r = SyntheticSignal.rms(x)
        guard r > 0 else { return }
        let g = target / r
        for i in 0..<x.count { x[i] *= g }
    }
}
