import Foundation

/// The shaft-order descriptors of a clip of a rotating machine (part of `ConditionDescriptors`):
/// the shaft rate s is the comb of harmonics that best stands out of the averaged spectrum, then
/// the levels at its harmonics and half orders (a loose mounting adds the half orders 0.5 s, 1.5 s ...).
///
/// Legend: n samples, W = the largest power of two <= min(n, 8192), frames of W every W / 2 samples
/// (at least one), periodic Hann window, P = mean over frames of |rfft|^2 (W / 2 + 1 bins, bin k at
/// k rate / W Hz), L(f) = log(P + 1e-30) linearly interpolated at f (clamped at the ends, as np.interp).
/// For each candidate c in `candidateHz` (step 0.05 Hz): score(c) = mean_k L(k c) - mean_k L((k - 0.5) c),
/// k = 1...10; s = the first candidate of highest score. Returns, with Q = mean_k L((k - 0.25) s):
/// harmonics = mean_k L(k s) - Q, half orders = mean_k L((k - 0.5) s) - Q, and their difference
/// (half orders minus harmonics). Half orders well above the noise fill the comb of s / 2 and can move
/// the estimate there: then the harmonics level falls (half its lines are the weaker half orders) and the
/// difference rises. Scoring against the quarter orders instead keeps s but told the faults apart worse
/// on a development set of parts (docs/ACCURACY.md).
enum ShaftOrders {
    /// Shaft rates searched, Hz: two-pole to eight-pole induction motors on 50 or 60 Hz mains.
    static let candidateHz = (14.0, 62.0)
    static let candidateStep = 0.05
    static let orders = 10
    static let maxFrame = 8192

    /// Column stems, in `values` order.
    static let stems = ["shaft_harmonics", "shaft_half_orders", "shaft_half_over_harmonics"]

    /// The three values for mean-removed samples x (n >= 2) at `rate` Hz.
    static func values(_ x: [Double], rate: Int) -> [Double] { estimate(x, rate: rate).values }

    /// The shaft rate s in Hz and the three values for mean-removed samples x (n >= 2) at `rate` Hz.
    static func estimate(_ x: [Double], rate: Int) -> (shaftHz: Double, values: [Double]) {
        let (power, width) = averagedPower(x)
        let logPower = power.map { log($0 + 1e-30) }
        let binHz = Double(rate) / Double(width)
        func level(_ hz: Double) -> Double {
            let position = hz / binHz
            guard position > 0 else { return logPower[0] }
            guard position < Double(logPower.count - 1) else { return logPower[logPower.count - 1] }
            let k = Int(position), t = position - Double(k)
            return logPower[k] + t * (logPower[k + 1] - logPower[k])
        }
        func mean(_ c: Double, offset: Double) -> Double {
            (1...orders).reduce(0.0) { $0 + level((Double($1) - offset) * c) } / Double(orders)
        }
        var best = (score: -Double.infinity, hz: candidateHz.0)
        let steps = Int(((candidateHz.1 - candidateHz.0) / candidateStep).rounded(.up))
        for i in 0..<steps {
            let c = candidateHz.0 + Double(i) * candidateStep
            let score = mean(c, offset: 0) - mean(c, offset: 0.5)
            if score > best.score { best = (score, c) }
        }
        let s = best.hz, quarter = mean(s, offset: 0.25)
        let harmonics = mean(s, offset: 0) - quarter, halves = mean(s, offset: 0.5) - quarter
        return (s, [harmonics, halves, halves - harmonics])
    }

    /// P (W / 2 + 1) and W: the mean periodogram of Hann-windowed frames (see the legend).
    static func averagedPower(_ x: [Double]) -> ([Double], Int) {
        FramePower.mean(x, cap: maxFrame, removeFrameMean: false)
    }
}

/// Spectral kurtosis of a clip (part of `ConditionDescriptors`): per frequency bin, how impulsive the
/// bin's power is over time (0 for a steady tone, about 1 for steady noise, large for bursts).
///
/// Legend: frames of 256 samples every 128 (no padding; a clip shorter than 256 is one zero-padded
/// frame), periodic Hann window, P (frames, 129) = |rfft|^2; SK_k = mean_t P^2 / (mean_t P)^2 - 2
/// (0 where the bin is silent). Returns the largest SK above 500 Hz and the mean SK above 1 kHz.
enum SpectralKurtosis {
    static let frame = 256
    static let stems = ["spectral_kurtosis_max", "spectral_kurtosis_mean"]

    static func values(_ x: [Double], rate: Int) -> [Double] {
        let n = frame, bins = frame / 2 + 1
        let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        let fft = ComplexFFT(size: n)
        var sum = [Double](repeating: 0, count: bins), squares = [Double](repeating: 0, count: bins)
        var frames = 0, start = 0
        repeat {
            for i in 0..<n { fft.buffer[i] = (start + i < x.count ? x[start + i] * window[i] : 0, 0) }
            fft.transform(forward: true)
            for k in 0..<bins {
                let (re, im) = fft.buffer[k]
                let p = re * re + im * im
                sum[k] += p; squares[k] += p * p
            }
            frames += 1
            start += n / 2
        } while start + n <= x.count
        let binHz = Double(rate) / Double(n)
        var peak = -Double.infinity, total = 0.0, counted = 0
        for k in 0..<bins {
            let mean = sum[k] / Double(frames)
            let sk = mean > 0 ? squares[k] / Double(frames) / (mean * mean) - 2 : 0
            let hz = Double(k) * binHz
            if hz > 500 { peak = max(peak, sk) }
            if hz > 1000 { total += sk; counted += 1 }
        }
        return [peak.isFinite ? peak : 0, counted > 0 ? total / Double(counted) : 0]
    }
}
