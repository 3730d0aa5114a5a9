import Foundation

/// Lines that faults add to a rotating machine's sound (part of `ConditionDescriptors`), measured as
/// prominences: log power over the running median of the log power around it, so a machine's own
/// level and spectral tilt cancel out.
///
/// Bearing lines. A race defect rings the bearing seat at every ball pass, so the envelope of the narrow
/// band around that resonance repeats at the defect rate. Where the seat rings is not known, so the
/// envelope is searched in `bearingBands` bands between 1.6 and 7 kHz: above the shaft's strong low
/// harmonics, whose beats put lines into the envelope of a healthy machine, a healthy machine's band
/// noise has a steady envelope. A line that several neighbouring bands agree on counts more than one
/// band's noise. Lines at multiples of the shaft rate are kept: a defect rate can be one (and other faults
/// that modulate the high bands, like imbalance, are faults too); on two development sets of parts,
/// leaving them out missed those bearings and found no fewer false alarms.
/// Half orders. A loose mounting adds the half orders of the shaft (0.5 s, 1.5 s, ...). Strong half
/// orders can move the shaft estimate s of `ShaftOrders` to half the shaft rate; then the odd multiples
/// of s are the half orders, weaker than the even ones (the harmonics), which the odd-over-even value sees.
///
/// Legend: x the n mean-removed samples at `rate` Hz, X its M-point FFT (zero padded), s the shaft rate
/// of `ShaftOrders`. `power(v, cap)`: `FramePower.mean` with each frame minus its own mean; prominence =
/// log(power + 1e-30) minus its running median over `width` bins (edges repeated, as
/// scipy.ndimage.median_filter with mode "nearest").
/// - Band j of B = `bearingBands`: centre c_j = 1600 (7000 / 1600)^(j / (B - 1)), bins k0 = ceil(0.94 c / bin
///   Hz) ..< k1 = ceil(1.06 c / bin Hz) of X copied to the start of an M / 8-point buffer, inverse transform
///   (divided by M / 8), the magnitude of its first n / 8 samples is the band's envelope at rate / 8 Hz;
///   prominence of power(envelope, 1024) with width 31. Bands above the Nyquist frequency are skipped.
/// - Envelope bins f in [20, 600) Hz: per bin, the mean
///   of the three largest prominences over the bands; `bearing_lines` is the largest such mean,
///   `bearing_line_max` the largest single prominence.
/// - P(hz) = the largest prominence of power(x, 16384) with width 41 within round(0.004 hz / bin Hz)
///   bins (at least 1) of round(hz / bin Hz) (Python's round: half to even); `half_order_peaks` = mean of
///   the three largest P((k - 0.5) s), k = 1...10; `odd_over_even` = mean P(k s) over odd k in 1...19
///   minus the mean over even k in 2...20.
/// Clips shorter than `minimumSamples` give zeros.
enum FaultLines {
    /// Column stems, in `values` order.
    static let stems = ["bearing_lines", "bearing_line_max", "half_order_peaks", "odd_over_even"]
    static let bearingRange = (1600.0, 7000.0)
    /// Bands per 3% step of centre frequency over `bearingRange` (50).
    static let bearingBands = Int(log(bearingRange.1 / bearingRange.0) / log(1.03)) + 1
    static let bandHalfWidth = 0.06
    static let envelopeRange = (20.0, 600.0)
    static let minimumSamples = 1024
    static let tiny = 1e-30

    /// The four values for mean-removed samples x at `rate` Hz; `spectrum` is the M-point FFT of x
    /// zero padded (M a power of two >= x.count, at least 8), `shaft` the shaft rate in Hz.
    static func values(_ x: [Double], spectrum: [(Double, Double)], rate: Int, shaft: Double) -> [Double] {
        guard x.count >= minimumSamples else { return [0, 0, 0, 0] }
        return bearing(count: x.count, spectrum: spectrum, rate: rate)
            + halfOrders(x, rate: rate, shaft: shaft)
    }

    /// Centre frequency of bearing band j (0 ..< `bearingBands`), Hz.
    static func bandCentre(_ j: Int) -> Double {
        bearingRange.0 * pow(bearingRange.1 / bearingRange.0, Double(j) / Double(bearingBands - 1))
    }

    /// The prominence spectrum of each bearing band's envelope (see the legend), nil for a band above
    /// the Nyquist frequency, and the envelope spectra's bin width in Hz. Also the rows of
    /// `EnvelopeLines`.
    ///
    ///     spectrum (M) -> rows (bearingBands) of (W / 2 + 1) or nil, bin Hz = rate / 8 / W
    static func bandProminences(count n: Int, spectrum: [(Double, Double)], rate: Int)
        -> (rows: [[Double]?], binHz: Double) {
        let m = spectrum.count / 8, binHz = Double(rate) / Double(spectrum.count)
        let inverse = ComplexFFT(size: m)
        let frames = FramePower(count: n / 8, cap: 1024)   // every band's envelope has n / 8 samples
        let rows = (0..<bearingBands).map { j -> [Double]? in
            let c = bandCentre(j)
            guard c * (1 + bandHalfWidth) <= Double(rate) / 2 else { return nil }
            let k0 = Int((c * (1 - bandHalfWidth) / binHz).rounded(.up))
            let k1 = Int((c * (1 + bandHalfWidth) / binHz).rounded(.up))
            for i in 0..<m { inverse.buffer[i] = i < k1 - k0 ? spectrum[k0 + i] : (0, 0) }
            inverse.transform(forward: false)
            let envelope = inverse.magnitudes(0..<(n / 8), dividedBy: Double(m))
            return prominence(frames.mean(envelope, removeFrameMean: true), width: 31)
        }
        return (rows, Double(rate) / 8 / Double(frames.width))
    }

    /// bearing_lines and bearing_line_max (see the legend).
    static func bearing(count n: Int, spectrum: [(Double, Double)], rate: Int) -> [Double] {
        let bands = bandProminences(count: n, spectrum: spectrum, rate: rate)
        let prominences = bands.rows.compactMap { $0 }   // (bands, W / 2 + 1)
        guard let first = prominences.first else { return [0, 0] }
        let envelopeHz = bands.binHz
        var lines = -Double.infinity, single = -Double.infinity
        for k in 0..<first.count {
            let f = Double(k) * envelopeHz
            guard f >= envelopeRange.0 && f < envelopeRange.1 else { continue }
            let column = prominences.map { $0[k] }.sorted()
            let top = column.suffix(3)
            lines = max(lines, top.reduce(0, +) / Double(top.count))
            single = max(single, column[column.count - 1])
        }
        return lines.isFinite ? [lines, single] : [0, 0]
    }

    /// half_order_peaks and odd_over_even (see the legend).
    static func halfOrders(_ x: [Double], rate: Int, shaft s: Double) -> [Double] {
        let (power, width) = FramePower.mean(x, cap: 16384, removeFrameMean: true)
        let p = prominence(power, width: 41)
        let binHz = Double(rate) / Double(width)
        func peak(_ hz: Double) -> Double {
            let i = min(Int((hz / binHz).rounded(.toNearestOrEven)), p.count - 1)
            let w = max(1, Int((0.004 * hz / binHz).rounded(.toNearestOrEven)))
            return p[max(i - w, 0)...min(i + w, p.count - 1)].max()!
        }
        let halves = (1...10).map { peak((Double($0) - 0.5) * s) }.sorted().suffix(3)
        let odd = stride(from: 1, through: 19, by: 2).map { peak(Double($0) * s) }
        let even = stride(from: 2, through: 20, by: 2).map { peak(Double($0) * s) }
        return [halves.reduce(0, +) / 3, odd.reduce(0, +) / 10 - even.reduce(0, +) / 10]
    }

    /// log(power + 1e-30) minus its running median over `width` (odd) bins, edges repeated.
    ///
    /// The window is kept sorted as it slides: each bin removes the value that leaves and inserts the
    /// one that enters (their places counted, and a shift of at most `width` values), instead of sorting
    /// `width` values per bin. NaN sorts above every number, so a NaN in the power gives a defined
    /// median.
    ///
    ///     power (n) -> prominence (n)
    static func prominence(_ power: [Double], width: Int) -> [Double] {
        precondition(width >= 1 && width % 2 == 1, "prominence: the width must be odd, got \(width)")
        let level = power.map { log($0 + tiny) }
        guard !level.isEmpty else { return [] }
        let half = width / 2, last = level.count - 1
        func at(_ k: Int) -> Double { level[min(max(k, 0), last)] }
        let window = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { window.deallocate() }
        window.initialize(from: (0..<width).map { at($0 - half) }.sorted(by: precedes), count: width)
        var out = [Double](repeating: 0, count: level.count)
        for i in level.indices {
            if i > 0 {
                let leaving = at(i - 1 - half), entering = at(i + half)
                if leaving.bitPattern != entering.bitPattern {
                    // take `leaving` out and put `entering` in: the values between the two places move
                    // one step towards the freed one
                    let from = firstPosition(notBefore: leaving, in: window, count: width)
                    var to = firstPosition(notBefore: entering, in: window, count: width)
                    if to > from {
                        to -= 1
                        memmove(window + from, window + from + 1, (to - from) * MemoryLayout<Double>.stride)
                    } else if to < from {
                        memmove(window + to + 1, window + to, (from - to) * MemoryLayout<Double>.stride)
                    }
                    window[to] = entering
                }
            }
            out[i] = level[i] - window[half]
        }
        return out
    }

    /// The sliding window's order: numbers ascending, NaN after them (a total order on the values).
    private static func precedes(_ a: Double, _ b: Double) -> Bool { a < b || (b.isNaN && !a.isNaN) }

    /// The first index of sorted `window` whose value does not precede `x` (where x is, if present):
    /// the number of values that precede it, counted over the whole window (a few vector compares for
    /// these widths, where a binary search's branches mispredict on every step).
    private static func firstPosition(notBefore x: Double, in window: UnsafePointer<Double>, count: Int) -> Int {
        var preceding = 0
        if x.isNaN {
            for j in 0..<count { preceding += window[j].isNaN ? 0 : 1 }
        } else {
            for j in 0..<count { preceding += window[j] < x ? 1 : 0 }
        }
        return preceding
    }
}
