import CFFTW
import Foundation

/// Machine-condition descriptors of one clip: what vibration analysts read from a recording to find
/// a fault whatever the machine's own sound (columns: docs/FORMATS.md §5.1). For each frequency band:
/// - coefficient of variation of the band's envelope (how much its level swings: rubbing, imbalance),
/// - kurtosis of the envelope,
/// - envelope-spectrum peak: the strongest line of the envelope's spectrum between 5 and 1000 Hz over
///   the median there (periodic modulation: ticks at a bearing defect rate, modulation at the shaft rate).
/// Kurtoses and peaks are taken as natural logarithms, so ratios of 1e3 stay readable. (The kurtosis
/// and crest factor of the band signal itself were dropped: on two development sets of parts they
/// described the machine's own sound more than its faults, and the forest did better without them.)
/// Then the clip's `ShaftOrders` (harmonics and half orders of the estimated shaft rate: looseness), its
/// `SpectralKurtosis` (impulsive bins wherever the resonance they ring lies: bearings, rubbing) and its
/// `FaultLines` (envelope lines in narrow high bands: bearings; half-order peaks: looseness).
///
/// Legend: n samples of the clip, M = the smallest power of two >= n. The clip minus its mean is
/// transformed once (M points, zero padded); band b keeps the bins with lo_b <= |f| < hi_b of the
/// positive frequencies, doubled, zeroes the rest and transforms back: the first n samples are the band's
/// analytic signal z (its real part the band signal y, |z| the envelope e). The envelope spectrum is
/// |rfft((e - mean e) * hann_n, M)| with numpy's symmetric `np.hanning(n)`.
public enum ConditionDescriptors {
    /// The default bands in Hz: [lo, hi) pairs, the last one clipped to the clip's Nyquist frequency.
    public static let defaultBands: [(Double, Double)] = [(20, 500), (500, 1500), (1500, 3000), (3000, 6000),
                                                          (6000, 8000)]
    /// The envelope-spectrum range searched for a peak, Hz.
    public static let envelopeRange = (5.0, 1000.0)
    /// The per-band descriptor stems, in row order.
    public static let stems = ["envelope_cv", "envelope_kurtosis", "envelope_peak"]
    /// The whole-clip descriptor stems after the bands' (shaft orders, then spectral kurtosis).
    public static let clipStems = ShaftOrders.stems + SpectralKurtosis.stems + FaultLines.stems
    static let tiny = 1e-30

    /// Column names for `bands`: `condition_<stem>_<lo>_<hi>` for each band and stem, then
    /// `condition_<stem>` for the clip stems (5 bands x 3 + 9 clip values = 24 columns by default).
    public static func columnNames(bands: [(Double, Double)] = defaultBands) -> [String] {
        bands.flatMap { band in stems.map { "condition_\($0)_\(Int(band.0))_\(Int(band.1))" } }
            + clipStems.map { "condition_\($0)" }
    }

    /// The descriptors of signal (n >= 2) at `sampleRate` Hz, in `columnNames` order.
    public static func row(_ signal: [Float], sampleRate: Int, bands: [(Double, Double)] = defaultBands) -> [Float] {
        precondition(signal.count >= 2 && sampleRate > 0,
                     "condition descriptors need 2 or more samples (got \(signal.count)) and a rate > 0")
        let n = signal.count
        var m = 1
        while m < n { m <<= 1 }
        let mean = signal.reduce(0.0) { $0 + Double($1) } / Double(n)
        let centred = signal.map { Double($0) - mean }
        // one transform of the clip; its buffer is then the envelope spectra's scratch space
        let scratch = ComplexFFT(size: m)
        for i in 0..<m { scratch.buffer[i] = (i < n ? centred[i] : 0, 0) }
        scratch.transform(forward: true)
        let full = Array(UnsafeBufferPointer(start: scratch.buffer, count: m))
        let band = ComplexFFT(size: m)
        // numpy's hanning(n): 0.5 - 0.5 cos(2 pi i / (n - 1))
        let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1)) }
        let binHz = Double(sampleRate) / Double(m)
        var out: [Float] = []
        out.reserveCapacity(bands.count * stems.count + clipStems.count)
        for (lo, hi) in bands {
            // positive frequencies only (bins 1 ..< m/2 + 1 map to f = k binHz), doubled: the analytic signal
            for k in 0..<m {
                let f = Double(k <= m / 2 ? k : k - m) * binHz
                band.buffer[k] = f >= lo && f < hi ? (2 * full[k].0, 2 * full[k].1) : (0, 0)
            }
            band.transform(forward: false)
            let e = band.magnitudes(0..<n, dividedBy: Double(m))
            out += values(envelope: e, window: window, sampleRate: sampleRate, scratch: scratch).map(Float.init)
        }
        let shaft = ShaftOrders.estimate(centred, rate: sampleRate)
        out += (shaft.values + SpectralKurtosis.values(centred, rate: sampleRate)
                + FaultLines.values(centred, spectrum: full, rate: sampleRate, shaft: shaft.shaftHz)).map(Float.init)
        return out
    }

    /// The three descriptors of one band from its envelope e (n); `window` is the envelope spectrum's
    /// Hann window (n), `scratch` an M-point transform to compute it in.
    static func values(envelope e: [Double], window: [Double], sampleRate: Int, scratch: ComplexFFT) -> [Double] {
        let n = e.count
        let envelopeMean = e.reduce(0, +) / Double(n)
        let envelopeStd = (e.reduce(0) { $0 + ($1 - envelopeMean) * ($1 - envelopeMean) } / Double(n)).squareRoot()
        return [envelopeStd / (envelopeMean + tiny), log(kurtosis(e) + tiny),
                log(envelopePeak(e, mean: envelopeMean, window: window, sampleRate: sampleRate, fft: scratch))]
    }

    /// Fourth central moment over the squared second (3 for a Gaussian), in Double.
    static func kurtosis(_ x: [Double]) -> Double {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        var m2 = 0.0, m4 = 0.0
        for v in x {
            let d = (v - mean) * (v - mean)
            m2 += d; m4 += d * d
        }
        m2 /= n; m4 /= n
        return m4 / (m2 * m2 + tiny)
    }

    /// The largest envelope-spectrum magnitude in `envelopeRange` over the median magnitude there
    /// (plus `tiny`); numpy's median (the mean of the two middle values for an even count).
    static func envelopePeak(_ e: [Double], mean: Double, window: [Double], sampleRate: Int,
                             fft: ComplexFFT) -> Double {
        let n = e.count, m = fft.size
        for i in 0..<m { fft.buffer[i] = (i < n ? (e[i] - mean) * window[i] : 0, 0) }
        fft.transform(forward: true)
        // the bins k <= m / 2 whose frequency k binHz is in the range: consecutive, as k binHz grows with k
        let binHz = Double(sampleRate) / Double(m)
        let bins = 0...(m / 2)
        let first = bins.first { Double($0) * binHz >= envelopeRange.0 } ?? bins.upperBound + 1
        let end = bins.first { Double($0) * binHz >= envelopeRange.1 } ?? bins.upperBound + 1
        guard first < end else { return 1 }
        var magnitudes = fft.magnitudes(first..<end)
        if magnitudes.contains(where: \.isNaN) {
            // (a NaN sample; decoding refuses them) no order to select in: the sort's answer, as before
            magnitudes.sort()
            let c = magnitudes.count
            let median = c % 2 == 1 ? magnitudes[c / 2] : (magnitudes[c / 2 - 1] + magnitudes[c / 2]) / 2
            return magnitudes[c - 1] / (median + tiny) + tiny
        }
        let largest = magnitudes.max()!
        return largest / (OrderStatistics.median(reordering: &magnitudes) + tiny) + tiny
    }
}
