/// The envelope gate's keep decisions without pandas' serial Kahan sum, and provably the same.
///
/// Legend: y (n) samples, a_j = |y_j| (exact in Double), w the window, and for sample i the window
/// [lo_i, hi_i] of `EnvelopeGate` (clipped at the edges) with count_i = hi_i - lo_i + 1 samples;
/// S_i = sum of a_j over it (exact, real numbers); t the threshold; u = 2^-53 (Double's unit roundoff).
///
///     pandas:  K_i = Kahan running sum (adds a_hi, subtracts a_lo), keep_i = fl(max(0, K_i) / count_i) > t
///     here:    q_j = floor(a_j 2^k + 1/2)        an integer, |q_j 2^-k - a_j| <= 2^-k / 2
///              Q_i = sum of q_j over the window   exact (Int64: every window sum < 2^62)
///
/// Error bounds: |Q_i 2^-k - S_i| <= count_i 2^-k / 2, and Kahan's (Higham, "Accuracy and Stability
/// of Numerical Algorithms", 2nd ed., eq. 4.9) |K_i - S_i| <= (2u + O(m u^2)) H with H the sum of the
/// magnitudes of every term added so far, H <= 2 n max(a). With E = 4u * 2 n max(a) (4u covers the
/// O(m u^2) term for any m < 2^40 terms):
///   K_i >  t count_i (1 + 2u)  =>  fl(K_i / count_i) >= (K_i / count_i)(1 - u) > t      (kept)
///   K_i <= t count_i (1 - 2u)  =>  fl(max(0, K_i) / count_i) <= t (1 - 2u)(1 + u) < t  (dropped)
/// so, in units of 2^-k, Q_i > t count_i 2^k (1 + 2u) + E 2^k + count_i / 2 decides "kept" and
/// Q_i < t count_i 2^k (1 - 2u) - E 2^k - count_i / 2 decides "dropped"; the bounds below are
/// widened by 64u more to cover the rounding of computing them. A sample between the two is
/// undecided: `forEach` stops there, and the caller runs the serial Kahan pass from it. The band is
/// about 1e-8 of the threshold for a 10-minute clip at full scale, so real signals practically never
/// reach it (the tests build one that does).
///
/// Cost: two conversions and an integer addition per sample, with no dependency chain through
/// floating-point latency: about 4x faster than the Kahan pass over a 16 kHz clip (BENCHMARKS.md).
enum GateDecisions {
    /// Calls `body(i, keep_i)` for samples 0, 1, ... in order while each is decided (see the type);
    /// returns the first sample it could not decide (n when all were). Undecided from sample 0:
    /// a threshold that is not a positive number, a sample that is not finite, or an amplitude
    /// beyond 2^40 (the serial pass handles those as pandas does).
    @inline(__always)
    static func forEach(_ y: UnsafeBufferPointer<Float>, window w: Int, threshold t: Double,
                        _ body: (Int, Bool) -> Void) -> Int {
        let n = y.count
        guard n > 0, w >= 1, t > 0, t.isFinite, let base = y.baseAddress else { return 0 }
        let peak = SampleScan.peak(base, count: n)
        guard peak.isFinite, peak < 0x1p40 else { return 0 }
        if peak == 0 {
            // every window sum is exactly 0 in pandas too: mean 0, never above a positive threshold
            for i in 0..<n { body(i, false) }
            return n
        }
        // k: q_j < 2^52 (so a_j 2^k + 1/2 is exact) and w 2^52 < 2^62 (window sums fit in Int64)
        let peakExponent = Int(Double(peak).exponent) + 1              // peak < 2^peakExponent
        let windowBits = Int.bitWidth - (w - 1).leadingZeroBitCount    // w <= 2^windowBits
        let k = min(52 - peakExponent, 62 - peakExponent - windowBits)
        let scale = Double(sign: .plus, exponent: k, significand: 1)
        let u = Double.ulpOfOne / 2
        let kahan = 4 * u * 2 * Double(n) * Double(peak) * scale * (1 + 64 * u)   // E 2^k
        let slack = 64 * u
        let keepPerSample = t * scale * (1 + 2 * u + slack) + 0.5, keepConstant = kahan + 2
        let dropPerSample = t * scale * (1 - 2 * u - slack) - 0.5, dropConstant = kahan + 2

        // a_j 2^k < 2^52, so adding 2^52 rounds it to the nearest integer (ties to even) exactly
        // in the significand's low bits: the conversion without Int64(Double)'s range checks
        let magic = 0x1p52, magicBits = Int64(bitPattern: magic.bitPattern)
        @inline(__always) func quantized(_ j: Int) -> Int64 {
            Int64(bitPattern: (Double(abs(base[j])) * scale + magic).bitPattern) &- magicBits
        }
        // full windows: the bounds as integers (Q >= keepAbove => kept; Q <= dropAtMost => dropped)
        // (clamped: every window sum is below 2^62, so a bound beyond it keeps none or drops all)
        @inline(__always) func integer(_ x: Double) -> Int64 {
            x >= 0x1p62 ? Int64.max - 2 : x <= -0x1p62 ? Int64.min + 2 : Int64(x.rounded(.down))
        }
        let keepAbove = integer(keepPerSample * Double(w) + keepConstant) + 1
        let dropAtMost = integer(dropPerSample * Double(w) - dropConstant) - 1

        // the window of sample i is [i - half, i - half + w - 1], clipped to [0, n - 1]
        let half = w / 2
        var sum: Int64 = 0
        var lo = 0, hi = -1          // the samples [lo, hi] are in `sum`
        /// Moves the window to sample i's (any step) and decides i; false when it cannot.
        @inline(__always) func decideClipped(_ i: Int) -> Bool {
            let last = min(n - 1, i - half + w - 1)
            while hi < last { hi += 1; sum &+= quantized(hi) }
            let first = max(0, i - half)
            while lo < first { sum &-= quantized(lo); lo += 1 }
            let q = Double(sum), c = Double(hi - lo + 1)
            if q > keepPerSample * c + keepConstant { body(i, true); return true }
            if q < dropPerSample * c - dropConstant { body(i, false); return true }
            return false
        }
        // full windows: samples half ..< n - w + half + 1, each one step from the one before
        let interior = half < n - w + half + 1 ? (half + 1)..<(n - w + half + 1) : 0..<0
        var i = 0
        while i < n {
            if interior.contains(i) && hi == i - half + w - 2 && lo == i - half - 1 {
                let end = interior.upperBound
                while i < end {
                    sum = sum &+ quantized(i - half + w - 1) &- quantized(i - half - 1)
                    if sum >= keepAbove { body(i, true) } else if sum <= dropAtMost { body(i, false) } else { return i }
                    i += 1
                }
                hi = end - 1 - half + w - 1; lo = end - 1 - half    // sample end - 1's window
                continue
            }
            if !decideClipped(i) { return i }
            i += 1
        }
        return n
    }
}
