import Foundation

/// The synthetic generator's signal processing: a tone and the five degradations.
///
/// Buffers are [Double] of n samples at `rate` Hz, processed in place; every loop runs on a buffer
/// pointer taken once per call.
enum SyntheticSignal {
    /// The clean tone of `recipe`: harmonics with vibrato and tremolo, 20 ms raised-cosine fades at
    /// both ends, plus the recipe's white noise floor. Harmonic phases are random.
    static func tone(_ recipe: SyntheticRecipe, count n: Int, rate: Int,
                     using rng: inout SyntheticRandom) -> [Double] {
        let fs = Double(rate)
        // harmonic k (1-based) as a cosine/sine pair scaled by its amplitude, so that
        // a_k sin(k theta + phi_k) = Im(e^{ik theta}) * a_k cos(phi_k) + Re(e^{ik theta}) * a_k sin(phi_k)
        let highest = recipe.fundamental * (1 + recipe.vibratoDepth)
        let count = max(1, min(recipe.harmonics, Int(0.45 * fs / highest)))
        var cosPart = [Double](repeating: 0, count: count), sinPart = cosPart
        for k in 0..<count {
            let amplitude = pow(Double(k + 1), -recipe.harmonicRolloff)
            let phase = rng.uniform(0, 2 * Double.pi)
            cosPart[k] = amplitude * cos(phase)
            sinPart[k] = amplitude * sin(phase)
        }
        let vibratoPhase = rng.uniform(0, 2 * Double.pi), tremoloPhase = rng.uniform(0, 2 * Double.pi)
        var theta = rng.uniform(0, 2 * Double.pi)
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { y in
            cosPart.withUnsafeBufferPointer { cp in
                sinPart.withUnsafeBufferPointer { sp in
                    for i in 0..<n {
                        let t = Double(i) / fs
                        let f = recipe.fundamental
                            * (1 + recipe.vibratoDepth * sin(2 * Double.pi * recipe.vibratoRate * t + vibratoPhase))
                        theta += 2 * Double.pi * f / fs
                        if theta > 2 * Double.pi { theta -= 2 * Double.pi }
                        let zr = cos(theta), zi = sin(theta)
                        var wr = zr, wi = zi, sum = 0.0
                        for k in 0..<count {
                            sum += wi * cp[k] + wr * sp[k]
                            (wr, wi) = (wr * zr - wi * zi, wr * zi + wi * zr)
                        }
                        let tremolo = 1 - recipe.tremoloDepth
                            * (0.5 + 0.5 * sin(2 * Double.pi * recipe.tremoloRate * t + tremoloPhase))
                        y[i] = sum * tremolo
                    }
                    let fade = min(n / 2, Int(0.02 * fs))
                    for i in 0..<fade {
                        let g = 0.5 - 0.5 * cos(Double.pi * Double(i) / Double(fade))
                        y[i] *= g
                        y[n - 1 - i] *= g
                    }
                }
            }
        }
        addNoise(&out, snrDB: recipe.noiseFloorDB, using: &rng)
        return out
    }

    /// Root mean square of `x` (0 for an empty buffer).
    static func rms(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        return x.withUnsafeBufferPointer { p in
            var sum = 0.0
            for v in p { sum += v * v }
            return (sum / Double(p.count)).squareRoot()
        }
    }

    /// Largest absolute value of `x`.
    static func peak(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { p in p.reduce(0) { max($0, abs($1)) } }
    }

    /// Adds white Gaussian noise whose RMS is `snrDB` below the RMS of `x`.
    static func addNoise(_ x: inout [Double], snrDB: Double, using rng: inout SyntheticRandom) {
        let sigma = rms(x) * pow(10, -snrDB / 20)
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] += sigma * rng.normal() }
        }
    }

    /// Schroeder reverb: four damped feedback combs (25.3-30.7 ms, feedback for the RT60) in
    /// parallel, then two allpasses (12.6 and 5.1 ms, g = 0.5). The wet signal is scaled to the dry
    /// RMS and mixed: out = (1 - mix) dry + mix wet. The tail beyond the clip is cut.
    static func reverb(_ x: inout [Double], time: Double, mix: Double, rate: Int) {
        let n = x.count, fs = Double(rate)
        guard n > 0 else { return }
        var wet = [Double](repeating: 0, count: n)
        let damping = 0.2
        wet.withUnsafeMutableBufferPointer { w in
            x.withUnsafeBufferPointer { dry in
                for ms in [25.3, 26.9, 28.9, 30.7] {
                    let d = max(1, Int(ms * 0.001 * fs))
                    let g = pow(10, -3 * Double(d) / (time * fs))
                    var line = [Double](repeating: 0, count: d)
                    var store = 0.0, pos = 0
                    line.withUnsafeMutableBufferPointer { buf in
                        for i in 0..<n {
                            let out = buf[pos]
                            store = out * (1 - damping) + store * damping
                            buf[pos] = dry[i] + store * g
                            pos += 1; if pos == d { pos = 0 }
                            w[i] += out
                        }
                    }
                }
                for ms in [12.6, 5.1] {
                    let d = max(1, Int(ms * 0.001 * fs))
                    var line = [Double](repeating: 0, count: d)
                    var pos = 0
                    line.withUnsafeMutableBufferPointer { buf in
                        for i in 0..<n {
                            let delayed = buf[pos]
                            let input = w[i]
                            buf[pos] = input + 0.5 * delayed
                            w[i] = delayed - 0.5 * input
                            pos += 1; if pos == d { pos = 0 }
                        }
                    }
                }
            }
        }
        let wetRMS = rms(wet), dryRMS = rms(x)
        let scale = wetRMS > 0 ? dryRMS / wetRMS : 0
        x.withUnsafeMutableBufferPointer { y in
            wet.withUnsafeBufferPointer { w in
                for i in 0..<n { y[i] = (1 - mix) * y[i] + mix * scale * w[i] }
            }
        }
    }

    /// Feed-forward compressor: a peak envelope (attack 5 ms, release 50 ms); above the threshold
    /// (the clip's RMS level + `thresholdDB`) the level in dB is divided by `ratio`.
    static func compress(_ x: inout [Double], ratio: Double, thresholdDB: Double, rate: Int) {
        let fs = Double(rate)
        let attack = exp(-1 / (0.005 * fs)), release = exp(-1 / (0.05 * fs))
        let threshold = 20 * log10(max(rms(x), 1e-12)) + thresholdDB
        x.withUnsafeMutableBufferPointer { y in
            var envelope = 0.0
            for i in 0..<y.count {
                let level = abs(y[i])
                let a = level > envelope ? attack : release
                envelope = a * envelope + (1 - a) * level
                let levelDB = 20 * log10(max(envelope, 1e-12))
                if levelDB > threshold {
                    let gainDB = (threshold + (levelDB - threshold) / ratio) - levelDB
                    y[i] *= pow(10, gainDB / 20)
                }
            }
        }
    }

    /// Hard clipping: scales `x` to peak `drive` and clamps it to [-1, 1].
    static func clip(_ x: inout [Double], drive: Double) {
        let p = peak(x)
        guard p > 0 else { return }
        let gain = drive / p
        x.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = min(1, max(-1, y[i] * gain)) }
        }
    }

    /// Fourth-order low-pass: the RBJ biquad low-pass (Q = 1/sqrt(2)) applied twice.
    static func lowpass(_ x: inout [Double], cutoff: Double, rate: Int) {
        let fs = Double(rate)
        let w0 = 2 * Double.pi * min(cutoff, 0.45 * fs) / fs
        let alpha = sin(w0) / (2 * 0.5.squareRoot())
        let cw = cos(w0), a0 = 1 + alpha
        let b0 = (1 - cw) / 2 / a0, b1 = (1 - cw) / a0, b2 = b0
        let a1 = -2 * cw / a0, a2 = (1 - alpha) / a0
        x.withUnsafeMutableBufferPointer { y in
            for _ in 0..<2 {
                var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
                for i in 0..<y.count {
                    let input = y[i]
                    let out = b0 * input + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
                    (x2, x1, y2, y1) = (x1, input, y1, out)
                    y[i] = out
                }
            }
        }
    }
}
